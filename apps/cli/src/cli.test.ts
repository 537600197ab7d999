import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue } from '@palisade/policies';
import type { JsonReport } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from './index.js';
import { parseSize } from './validate-options.js';
import { cliVersion } from './version.js';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  stdin?: string;
  tty?: boolean;
  env?: Record<string, string>;
  now?: Date;
}

async function cli(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const tty = options.tty ?? false;
  async function* stdin() {
    if (options.stdin !== undefined) yield Buffer.from(options.stdin);
  }
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: tty },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: tty },
    stdin: stdin(),
    env: options.env ?? {},
    now: () => options.now ?? new Date('2025-06-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

const json = (result: CliRun) => JSON.parse(result.stdout) as JsonReport;
const verdicts = (result: CliRun) =>
  json(result).results.map((r) => `${r.resources[0]?.name}:${r.policy}:${r.result}`);

/** A pod meeting the restricted profile, with its container's security context replaceable. */
function pod(
  name: string,
  options: { namespace?: string; labels?: string; image?: string; container?: string } = {},
) {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${options.namespace ? `  namespace: ${options.namespace}\n` : ''}${options.labels ? `  labels: ${options.labels}\n` : ''}spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: app
      image: ${options.image ?? 'registry.example.com/app:1.0'}
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
${options.container ?? ''}`;
}

const PRIVILEGED = '        privileged: true\n';

let dir: string;
const path = (...parts: string[]) => join(dir, ...parts);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
  writeFileSync(path('good.yaml'), pod('good', { namespace: 'apps' }));
  writeFileSync(path('privileged.yaml'), pod('priv', { namespace: 'apps', container: PRIVILEGED }));
  writeFileSync(path('broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n');
  writeFileSync(
    path('proc-mount.yaml'),
    pod('userns', { container: '        procMount: Unmasked\n' }).replace(
      'spec:\n',
      'spec:\n  hostUsers: false\n',
    ),
  );
  mkdirSync(path('many'));
  for (let i = 0; i < 25; i++)
    writeFileSync(path('many', `pod-${String(i).padStart(2, '0')}.yaml`), pod(`p${i}`));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help and version', () => {
  it('prints help and the version', async () => {
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: palisade <command>');
    const validateHelp = await cli(['validate', '--help']);
    expect(validateHelp.code).toBe(0);
    expect(validateHelp.stdout).toContain('--pss-version');
    expect((await cli(['help', 'policies'])).stdout).toContain('Usage: palisade policies');
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${cliVersion()}\n`, stderr: '' });
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 with usage on stderr for a missing or unknown command', async () => {
    expect(await cli([])).toMatchObject({ code: 2, stdout: '' });
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('policies', () => {
  it('lists the catalogue as a table', async () => {
    const result = await cli(['policies']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+PSS\s+CATEGORY\s+TITLE$/);
    expect(lines).toHaveLength(catalogue.length + 1);
    expect(result.stdout).toMatch(
      /disallow-privileged-containers\s+high\s+baseline\s+Pod Security Standards \(Baseline\)\s+Disallow Privileged Containers/,
    );
  });

  it('lists the catalogue as JSON', async () => {
    const result = await cli(['policies', '--format', 'json']);
    const listed = JSON.parse(result.stdout) as { id: string; pssLevel?: string }[];
    expect(listed.map((p) => p.id)).toEqual(catalogue.map((p) => p.id));
    expect(listed.find((p) => p.id === 'require-run-as-nonroot')).toMatchObject({
      pssLevel: 'restricted',
      severity: 'medium',
    });
    expect((await cli(['policies', '--format', 'xml'])).code).toBe(2);
  });
});

describe('validate: exit codes', () => {
  it('exits 0 when nothing fails', async () => {
    const result = await cli(['validate', path('good.yaml')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/Summary: 1 resource in 1 file; 1 resource without findings: 0 failed/);
  });

  it('exits 1 when a policy fails, with the finding, its line and how to fix it', async () => {
    const result = await cli(['validate', path('privileged.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path('privileged.yaml')}:1  Pod apps/priv`);
    expect(result.stdout).toContain(
      'FAIL  disallow-privileged-containers: container "app" must not set securityContext.privileged=true (line 16)',
    );
    expect(result.stdout).toContain(
      'how to fix: Remove securityContext.privileged from every container, or set it to false.',
    );
  });

  it('exits 2 on input errors, still reporting the other files', async () => {
    const result = await cli([
      'validate',
      '--format',
      'json',
      path('privileged.yaml'),
      path('broken.yaml'),
      path('good.yaml'),
      path('missing.yaml'),
    ]);
    expect(result.code).toBe(2);
    const report = json(result);
    expect(new Set(report.results.map((r) => r.resources[0]?.name))).toEqual(new Set(['priv', 'good']));
    expect(report.summary.fail).toBe(1);
    expect(report.errors).toEqual([
      { file: path('missing.yaml'), message: 'cannot read: no such file or directory' },
      {
        file: path('broken.yaml'),
        document: 1,
        line: expect.any(Number),
        column: expect.any(Number),
        message: expect.stringMatching(/^invalid YAML/),
      },
    ]);
    // Machine-readable stdout stays clean; the errors are also said on stderr.
    expect(result.stderr).toContain(`palisade: ${path('broken.yaml')}:`);
  });

  it('exits 2 with a clear message for bad usage', async () => {
    const cases: [string[], RegExp][] = [
      [['validate'], /no input/],
      [['validate', '--bogus', 'x'], /Unknown option '--bogus'/],
      [['validate', '--format', 'xml', 'x'], /invalid --format "xml"/],
      [['validate', '--profile', 'strict', 'x'], /invalid --profile "strict": use baseline or restricted/],
      [['validate', '--pss-version', '1.x', 'x'], /invalid --pss-version/],
      [['validate', '--policy', 'no-such-policy', 'x'], /unknown policy "no-such-policy"/],
      [['validate', '--exclude-policy', 'nope', 'x'], /unknown policy "nope"/],
      [['validate', '--max-file-size', 'lots', 'x'], /invalid --max-file-size "lots"/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("Run 'palisade validate --help' for usage.");
    }
  });

  it('enforces --max-file-size', async () => {
    const result = await cli(['validate', '--max-file-size', '100', path('good.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('file is larger than the 100 bytes limit');
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('1048576')).toBe(1048576);
  });
});

describe('validate: paths that match nothing', () => {
  it('names each path that yields no Kubernetes resource as an input error, still reporting the others', async () => {
    mkdirSync(path('empty-dir'));
    mkdirSync(path('no-manifests'));
    writeFileSync(path('no-manifests', 'notes.txt'), 'kind: Pod\n');
    writeFileSync(path('comments-only.yaml'), '# nothing here yet\n---\n');
    const empty = [path('empty-dir'), path('no-manifests'), path('comments-only.yaml')];
    const result = await cli(['validate', '--format', 'json', ...empty, path('privileged.yaml')]);
    expect(result.code).toBe(2);
    expect(verdicts(result)).toContain('priv:disallow-privileged-containers:fail');
    expect(json(result).errors).toEqual([
      {
        file: path('empty-dir'),
        message:
          'no Kubernetes resources found (no .yaml, .yml or .json file); pass --allow-empty if that is expected',
      },
      {
        file: path('no-manifests'),
        message:
          'no Kubernetes resources found (no .yaml, .yml or .json file); pass --allow-empty if that is expected',
      },
      {
        file: path('comments-only.yaml'),
        message: 'no Kubernetes resources found; pass --allow-empty if that is expected',
      },
    ]);
    expect(result.stderr).toContain(`palisade: ${path('empty-dir')}: no Kubernetes resources found`);

    const stdin = await cli(['validate', '-'], { stdin: '' });
    expect(stdin.code).toBe(2);
    expect(stdin.stdout).toContain('<stdin>: no Kubernetes resources found');
    // A mistyped path is reported once, as the file it is not.
    const typo = await cli(['validate', '--format', 'json', path('privilegd.yaml')]);
    expect(json(typo).errors).toEqual([
      { file: path('privilegd.yaml'), message: 'cannot read: no such file or directory' },
    ]);
    // A path counted once though named twice, and covered by another path, is not empty.
    const twice = await cli(['validate', dir, path('good.yaml')]);
    expect(twice.stdout).not.toContain('no Kubernetes resources found');
  });

  it('accepts empty paths with --allow-empty', async () => {
    const result = await cli(['validate', '--allow-empty', path('empty-dir'), path('good.yaml')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await cli(['validate', '--allow-empty', path('empty-dir')])).code).toBe(0);
  });
});

describe('validate: policy selection', () => {
  it('defaults to the restricted profile', async () => {
    const result = await cli(['validate', '--format', 'json', path('good.yaml')]);
    const policies = json(result).results.map((r) => r.policy);
    expect(policies).toContain('require-run-as-nonroot');
    expect(policies).toContain('disallow-privileged-containers');
  });

  it('checks only the named policies with --policy', async () => {
    const result = await cli([
      'validate',
      '--format',
      'json',
      '--policy',
      'disallow-privileged-containers',
      path('privileged.yaml'),
    ]);
    expect(result.code).toBe(1);
    expect(verdicts(result)).toEqual(['priv:disallow-privileged-containers:fail']);
    const two = await cli([
      'validate',
      '--format',
      'json',
      '--policy',
      'disallow-host-path,disallow-host-ports',
      path('good.yaml'),
    ]);
    expect(verdicts(two)).toEqual(['good:disallow-host-path:pass', 'good:disallow-host-ports:pass']);
  });

  it('drops policies with --exclude-policy', async () => {
    const result = await cli([
      'validate',
      '--format',
      'json',
      '--exclude-policy',
      'disallow-privileged-containers',
      path('privileged.yaml'),
    ]);
    expect(result.code).toBe(0);
    expect(json(result).results.map((r) => r.policy)).not.toContain('disallow-privileged-containers');
  });

  it('evaluates the Pod Security Standards version asked for', async () => {
    // Baseline allows any procMount in user-namespaced pods from v1.35 on.
    const old = await cli([
      'validate',
      '--format',
      'json',
      '--profile',
      'baseline',
      '--pss-version',
      'v1.34',
      path('proc-mount.yaml'),
    ]);
    expect(old.code).toBe(1);
    expect(verdicts(old)).toContain('userns:disallow-proc-mount:fail');
    const latest = await cli([
      'validate',
      '--format',
      'json',
      '--profile',
      'baseline',
      path('proc-mount.yaml'),
    ]);
    expect(latest.code).toBe(0);
    expect(verdicts(latest)).not.toContain('userns:disallow-proc-mount:fail');
  });
});

describe('validate: exceptions', () => {
  const exception = (name: string, spec: string) =>
    `apiVersion: palisade.dev/v1alpha1\nkind: PolicyException\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

  async function withException(manifest: string, spec: string, now?: Date) {
    writeFileSync(path('subject.yaml'), manifest);
    writeFileSync(path('exceptions.yaml'), exception('ex', spec));
    return cli(
      [
        'validate',
        '--format',
        'json',
        '--policy',
        'disallow-privileged-containers',
        '--exceptions',
        path('exceptions.yaml'),
        path('subject.yaml'),
      ],
      {
        ...(now ? { now } : {}),
      },
    );
  }
  const policies = '  policies: [disallow-privileged-containers]\n  reason: vendor agent\n';

  it('exempts resources by namespace', async () => {
    const ns = `${policies}  match:\n    namespaces: [vendor-*]\n`;
    const exempt = await withException(pod('a', { namespace: 'vendor-x', container: PRIVILEGED }), ns);
    expect(exempt.code).toBe(0);
    expect(json(exempt).results[0]).toMatchObject({ result: 'skip', properties: { exception: 'ex' } });
    expect((await withException(pod('a', { namespace: 'apps', container: PRIVILEGED }), ns)).code).toBe(1);
  });

  it('exempts resources by name and by labels', async () => {
    const byName = `${policies}  match:\n    names: [agent-*]\n`;
    expect((await withException(pod('agent-1', { container: PRIVILEGED }), byName)).code).toBe(0);
    expect((await withException(pod('web', { container: PRIVILEGED }), byName)).code).toBe(1);
    const byLabels = `${policies}  match:\n    labels:\n      matchLabels: {team: infra}\n`;
    expect(
      (await withException(pod('a', { labels: '{team: infra}', container: PRIVILEGED }), byLabels)).code,
    ).toBe(0);
    expect(
      (await withException(pod('a', { labels: '{team: web}', container: PRIVILEGED }), byLabels)).code,
    ).toBe(1);
  });

  it('exempts containers by image, checking the rest of the resource', async () => {
    const byImage = `${policies}  match:\n    images: ['vendor.example.com/*']\n`;
    expect(
      (await withException(pod('a', { image: 'vendor.example.com/agent:2', container: PRIVILEGED }), byImage))
        .code,
    ).toBe(0);
    const other = await withException(
      pod('a', { image: 'docker.io/agent:2', container: PRIVILEGED }),
      byImage,
    );
    expect(other.code).toBe(1);
  });

  it('stops applying an expired exception, and says so', async () => {
    const expiring = `${policies}  expires: "2025-03-01"\n  match:\n    names: [a]\n`;
    const before = await withException(
      pod('a', { container: PRIVILEGED }),
      expiring,
      new Date('2025-02-28T23:00:00Z'),
    );
    expect(before.code).toBe(0);
    const after = await withException(
      pod('a', { container: PRIVILEGED }),
      expiring,
      new Date('2025-03-02T00:00:00Z'),
    );
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('exception ex expired (2025-03-01); it no longer applies');
  });

  it('rejects invalid exception files, naming file, document and line', async () => {
    writeFileSync(
      path('bad-exceptions.yaml'),
      `${exception('ok', `${policies}  match:\n    names: [a]\n`)}---\n${exception('no-reason', '  policies: ["*"]\n  match:\n    names: [b]\n')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`,
    );
    const result = await cli(['validate', '--exceptions', path('bad-exceptions.yaml'), path('good.yaml')]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(
      `${path('bad-exceptions.yaml')}:15 (document 2): invalid PolicyException: spec.reason:`,
    );
    expect(result.stderr).toContain(
      `${path('bad-exceptions.yaml')}:20 (document 3): expected a PolicyException`,
    );
    const missing = await cli(['validate', '--exceptions', path('none.yaml'), path('good.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path('none.yaml')}: cannot read: no such file or directory`);
  });

  it.each([
    ['2027-02-30', 'February 2027 has 28 days'],
    ['"2027-02-30"', 'February 2027 has 28 days'],
    ['2027-01-31T18:00:00', 'no time-zone offset'],
    ["'2027-01-31 18:00:00'", 'not a date or time'],
    ['2027-01-31T24:00:00Z', 'there is no hour 24'],
  ])('rejects the exception expiry %s at its file and line', async (expires, why) => {
    const spec = `${policies}  expires: ${expires}\n  match:\n    names: [a]\n`;
    writeFileSync(
      path('expiry.yaml'),
      `${exception('ok', `${policies}  match:\n    names: [a]\n`)}---\n${exception('dated', spec)}`,
    );
    const result = await cli(['validate', '--exceptions', path('expiry.yaml'), path('good.yaml')]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    // Document 2 starts on line 11; expires is its line 8.
    expect(result.stderr).toContain(
      `${path('expiry.yaml')}:18 (document 2): invalid PolicyException: spec.expires:`,
    );
    expect(result.stderr).toContain(why);
  });

  it('rejects exception names Kubernetes would refuse, and names used twice', async () => {
    const spec = `${policies}  match:\n    names: [a]\n`;
    writeFileSync(path('names-1.yaml'), `${exception('Legacy_App', spec)}---\n${exception('shared', spec)}`);
    writeFileSync(path('names-2.yaml'), exception('shared', spec));
    const result = await cli([
      'validate',
      '--exceptions',
      path('names-1.yaml'),
      '--exceptions',
      path('names-2.yaml'),
      path('good.yaml'),
    ]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(
      `${path('names-1.yaml')}:4 (document 1): invalid PolicyException: metadata.name: name "Legacy_App" is not a Kubernetes name`,
    );
    expect(result.stderr).toContain(
      `${path('names-2.yaml')}:4 (document 1): a PolicyException named shared is already defined at ${path('names-1.yaml')}:14 (document 2)`,
    );
  });
});

describe('validate: input and output', () => {
  it('reads standard input for -', async () => {
    const result = await cli(['validate', '--format', 'json', '-'], {
      stdin: pod('piped', { container: PRIVILEGED }),
    });
    expect(result.code).toBe(1);
    expect(json(result).results.find((r) => r.result === 'fail')).toMatchObject({
      file: '<stdin>',
      line: 15,
    });
  });

  it('writes every format, to a file with --output', async () => {
    const sarif = await cli(['validate', '--format', 'sarif', path('privileged.yaml')]);
    expect(JSON.parse(sarif.stdout).runs[0].results[0]).toMatchObject({
      ruleId: 'disallow-privileged-containers',
      level: 'error',
    });
    const junit = await cli(['validate', '--format', 'junit', path('privileged.yaml')]);
    expect(junit.stdout).toMatch(/^<\?xml/);
    const reports = await cli([
      'validate',
      '--format',
      'policyreport',
      path('privileged.yaml'),
      path('proc-mount.yaml'),
    ]);
    const kinds = parseAllDocuments(reports.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(['ClusterPolicyReport', 'PolicyReport']);
    const output = path('report.json');
    const written = await cli(['validate', '--format', 'json', '--output', output, path('privileged.yaml')], {
      tty: true,
    });
    expect(written).toMatchObject({ code: 1, stdout: '' });
    expect((JSON.parse(readFileSync(output, 'utf8')) as JsonReport).summary.fail).toBe(1);
  });

  it('uses colour on a terminal unless NO_COLOR is set, and never when piped', async () => {
    expect((await cli(['validate', path('privileged.yaml')], { tty: true })).stdout).toContain('\u001b[31m');
    expect(
      (await cli(['validate', path('privileged.yaml')], { tty: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toContain('\u001b[');
    expect((await cli(['validate', path('privileged.yaml')])).stdout).not.toContain('\u001b[');
  });

  it('shows progress on a terminal for many files, and stays quiet when piped', async () => {
    const terminal = await cli(['validate', path('many')], { tty: true });
    expect(terminal.code).toBe(0);
    expect(terminal.stderr).toContain('palisade: checked 25/25 files');
    expect(terminal.stderr.endsWith('\r\u001b[K')).toBe(true);
    const piped = await cli(['validate', path('many')]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('25 resources in 25 files');
  });
});

describe('validate: exceptions among the manifests', () => {
  const exceptionDoc = (reason: string) =>
    `apiVersion: palisade.dev/v1alpha1\nkind: PolicyException\nmetadata:\n  name: inline\nspec:\n  policies: [disallow-privileged-containers]\n  reason: ${reason}\n  match:\n    names: [priv]\n`;

  it('honours PolicyException documents found in the inputs, as cdk8s output carries them', async () => {
    writeFileSync(
      path('inline.yaml'),
      `${pod('priv', { namespace: 'apps', container: PRIVILEGED })}---\n${exceptionDoc('node agent')}`,
    );
    const result = await cli([
      'validate',
      '--format',
      'json',
      '--policy',
      'disallow-privileged-containers',
      path('inline.yaml'),
    ]);
    expect(result.code).toBe(0);
    expect(json(result).results).toHaveLength(1);
    expect(json(result).results[0]).toMatchObject({ result: 'skip', properties: { exception: 'inline' } });
  });

  it('reports an invalid PolicyException document as an input error naming file, document and line', async () => {
    writeFileSync(
      path('inline-bad.yaml'),
      `${pod('priv', { namespace: 'apps', container: PRIVILEGED })}---\n${exceptionDoc("''")}`,
    );
    const result = await cli([
      'validate',
      '--format',
      'json',
      '--policy',
      'disallow-privileged-containers',
      path('inline-bad.yaml'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path('inline-bad.yaml')}:`);
    expect(result.stderr).toContain('(document 2): invalid PolicyException');
    expect(json(result).results[0]).toMatchObject({ result: 'fail' });
  });

  it('points an invalid expiry among the manifests at its own line', async () => {
    const dated = exceptionDoc('node agent').replace('  match:', '  expires: 2027-02-30\n  match:');
    writeFileSync(
      path('inline-dated.yaml'),
      `${pod('priv', { namespace: 'apps', container: PRIVILEGED })}---\n${dated}`,
    );
    const result = await cli([
      'validate',
      '--policy',
      'disallow-privileged-containers',
      path('inline-dated.yaml'),
    ]);
    expect(result.code).toBe(2);
    const podLines = pod('priv', { namespace: 'apps', container: PRIVILEGED }).split('\n').length;
    // The exception document starts after the pod and the separator; expires is its line 8.
    expect(result.stdout).toContain(
      `${path('inline-dated.yaml')}:${podLines + 8} (document 2): invalid PolicyException: spec.expires: expires "2027-02-30": February 2027 has 28 days`,
    );
  });

  const validateJson = (...paths: string[]) =>
    cli(['validate', '--format', 'json', '--policy', 'disallow-privileged-containers', ...paths]);

  it('applies an exception found in a later file to the resources already checked, and reports them once', async () => {
    writeFileSync(
      path('late-1.yaml'),
      `${pod('priv', { namespace: 'apps', container: PRIVILEGED })}---\n${pod('other', { namespace: 'apps', container: PRIVILEGED })}`,
    );
    writeFileSync(path('late-2.yaml'), exceptionDoc('node agent'));
    const result = await validateJson(path('late-1.yaml'), path('late-2.yaml'));
    expect(result.stderr).toBe('');
    expect(json(result).results.map((r) => [r.resources[0]?.name, r.result])).toEqual([
      ['priv', 'skip'],
      ['other', 'fail'],
    ]);
    expect(json(result).summary).toMatchObject({ skip: 1, fail: 1, inputErrors: 0 });
  });

  it('applies an exception found after resources read from standard input, which is read once', async () => {
    writeFileSync(path('late-exception.yaml'), exceptionDoc('node agent'));
    const result = await cli(
      [
        'validate',
        '--format',
        'json',
        '--policy',
        'disallow-privileged-containers',
        '-',
        path('late-exception.yaml'),
      ],
      { stdin: pod('priv', { namespace: 'apps', container: PRIVILEGED }) },
    );
    expect(json(result).results.map((r) => [r.file, r.result])).toEqual([['<stdin>', 'skip']]);
  });

  it('gives the same report whichever side of the resources the exception is on', async () => {
    const resources = `${pod('priv', { namespace: 'apps', container: PRIVILEGED })}---\n${pod('other', { namespace: 'apps', container: PRIVILEGED })}`;
    writeFileSync(path('first.yaml'), `${exceptionDoc('node agent')}---\n${resources}`);
    writeFileSync(path('last.yaml'), `${resources}---\n${exceptionDoc('node agent')}`);
    const first = json(await validateJson(path('first.yaml'))).results;
    const last = json(await validateJson(path('last.yaml'))).results;
    expect(first.map((r) => r.result)).toEqual(['skip', 'fail']);
    expect(last.map((r) => [r.result, r.properties?.exception])).toEqual(
      first.map((r) => [r.result, r.properties?.exception]),
    );
  });
});

describe('build', () => {
  it('writes byte-stable Gatekeeper output and --check detects stale files', async () => {
    writeFileSync(
      path('params.yaml'),
      'restrict-image-registries:\n  registries: ["registry.example.com/"]\n',
    );
    const out = path('build-out');
    const args = [
      'build',
      '--out',
      out,
      '--profile',
      'baseline',
      '--policy',
      'restrict-image-registries',
      '--params',
      path('params.yaml'),
    ];
    const first = await cli(args);
    expect(first.code).toBe(0);
    const template = readFileSync(
      join(out, 'gatekeeper', 'disallow-privileged-containers', 'template.yaml'),
      'utf8',
    );
    expect(template).toContain('engine: K8sNativeValidation');
    expect(template).toContain('engine: Rego');
    expect(
      readFileSync(join(out, 'gatekeeper', 'restrict-image-registries', 'constraint.yaml'), 'utf8'),
    ).toContain('registry.example.com/');
    expect(await cli(args)).toMatchObject({ code: 0 });
    expect(
      readFileSync(join(out, 'gatekeeper', 'disallow-privileged-containers', 'template.yaml'), 'utf8'),
    ).toBe(template);
    expect((await cli([...args, '--check'])).code).toBe(0);
    writeFileSync(
      join(out, 'gatekeeper', 'disallow-privileged-containers', 'template.yaml'),
      `${template}# edited\n`,
    );
    const stale = await cli([...args, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('gatekeeper/disallow-privileged-containers/template.yaml');

    // Output of a policy no longer selected is reported by --check and removed by the next build.
    await cli(args);
    mkdirSync(join(out, 'kyverno', 'cluster-policies', 'retired-policy'), { recursive: true });
    writeFileSync(
      join(out, 'kyverno', 'cluster-policies', 'retired-policy', 'policy.yaml'),
      'kind: ClusterPolicy\n',
    );
    const stray = await cli([...args, '--check']);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain('not generated: kyverno/cluster-policies/retired-policy/policy.yaml');
    expect((await cli(args)).stdout).toContain('removed 1 no longer generated');
    expect(existsSync(join(out, 'kyverno', 'cluster-policies', 'retired-policy', 'policy.yaml'))).toBe(false);
    expect((await cli([...args, '--check'])).code).toBe(0);
    expect(
      readFileSync(
        join(out, 'kyverno', 'cluster-policies', 'restrict-image-registries', 'policy.yaml'),
        'utf8',
      ),
    ).toContain('registry.example.com/');
  });

  it('refuses missing required parameters and a missing --out with exit 2', async () => {
    expect((await cli(['build', '--out', path('x'), '--policy', 'restrict-image-registries'])).code).toBe(2);
    expect((await cli(['build'])).code).toBe(2);
  });
});
