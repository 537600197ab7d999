/**
 * Pod Security Standards policy versions, as Pod Security Admission parses them: `latest` or `v1.N`.
 * `latest` resolves to the newest revision Palisade knows, as upstream resolves it to its newest registered check.
 */
export interface PssVersion {
  major: 1;
  minor: number;
}

/** The newest policy version with a revision in the catalogue (k8s.io/pod-security-admission v0.37). */
export const LATEST_PSS_VERSION: PssVersion = { major: 1, minor: 37 };

export function parsePssVersion(text: string): PssVersion {
  if (text === 'latest') return LATEST_PSS_VERSION;
  const match = /^v?1\.(0|[1-9][0-9]*)$/.exec(text);
  if (!match) throw new Error(`invalid Pod Security Standards version "${text}": use "latest" or "v1.N"`);
  const minor = Number(match[1]);
  // Upstream evaluates any newer version with its newest checks.
  return { major: 1, minor: Math.min(minor, LATEST_PSS_VERSION.minor) };
}

export function formatPssVersion(version: PssVersion): string {
  return `v${version.major}.${version.minor}`;
}
