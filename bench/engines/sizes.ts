import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, catalogueDir } from '@palisade/policies';
import { EQUIVALENTS, handWrittenDir } from './equivalents.js';
import { palisadeBuild } from './palisade-build.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-sizes-'));

/** Every catalogue policy; parameterised ones with their fixtures' parameters. */
function buildAll(): string {
  // One YAML mapping of policy id to parameters, each entry the fixture's own file indented under its id.
  let params = '';
  for (const policy of catalogue) {
    const file = join(catalogueDir, policy.id, 'fixtures', 'params.yaml');
    if (!existsSync(file)) continue;
    const body = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`);
    params += `${policy.id}:\n${body.join('\n')}\n`;
  }
  const paramsFile = join(root, 'params.yaml');
  writeFileSync(paramsFile, params);
  return palisadeBuild(join(root, 'out'), [
    '--policy',
    catalogue.map((p) => p.id).join(','),
    '--params',
    paramsFile,
  ]);
}

interface Size {
  bytes: number;
  longestLine: number;
}

function size(file: string): Size | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  return {
    bytes: Buffer.byteLength(text),
    longestLine: Math.max(...text.split('\n').map((line) => line.length)),
  };
}

const cell = (s: Size | undefined) =>
  s === undefined ? '–' : `${s.bytes.toLocaleString('en-US')} / ${s.longestLine.toLocaleString('en-US')}`;

const out = buildAll();
const vendor = handWrittenDir();
const rows = catalogue
  .map((p) => p.id)
  .sort()
  .map((id) => {
    const equivalent = EQUIVALENTS[id];
    const hand = (sub: string, file: string | undefined) =>
      vendor === undefined || file === undefined ? undefined : size(join(vendor, sub, file));
    return [
      `\`${id}\``,
      cell(size(join(out, 'gatekeeper', id, 'template.yaml'))),
      cell(hand('gatekeeper-library', equivalent?.gatekeeper && `${equivalent.gatekeeper}/template.yaml`)),
      cell(size(join(out, 'kyverno', 'cluster-policies', id, 'policy.yaml'))),
      cell(size(join(out, 'kyverno', 'validating-policies', id, 'policy.yaml'))),
      cell(hand('kyverno-policies', equivalent?.kyverno)),
    ];
  });
console.log(
  `Bytes / longest line (characters) of each policy file; – where there is none${vendor === undefined ? ' (hand-written files not found: see bench/vendor/README.md)' : ''}.`,
);
console.log('');
console.log(
  '| policy | Gatekeeper template | gatekeeper-library template | Kyverno ClusterPolicy | Kyverno ValidatingPolicy | kyverno/policies ClusterPolicy |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
