import { execFileSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from './index.js';
import { scanOutput } from './output-tree.js';

/**
 * `build` owns DIR/gatekeeper and DIR/kyverno: it must never follow a symbolic link out of them (to write or to
 * delete), refuse with exit 2 before touching anything, and replace files atomically.
 */

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    now: () => new Date('2025-06-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

/** Every entry under a folder, by lstat: type, inode, content or link target, modification time. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      if (stat.isSymbolicLink()) out[key] = `link ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[key] = `dir ${stat.ino}`;
        walk(path);
      } else if (stat.isFile()) out[key] = `file ${stat.ino} ${stat.mtimeMs} ${readFileSync(path, 'utf8')}`;
      else out[key] = `special ${stat.ino}`; // never opened: reading a FIFO would block
    }
  };
  walk(root);
  return out;
}

const POLICY = 'disallow-privileged-containers';
const TEMPLATE = join('gatekeeper', POLICY, 'template.yaml');

let root: string;
let out: string;
let outside: string;
const build = (...extra: string[]) => cli(['build', '--out', out, '--policy', POLICY, ...extra]);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'palisade-build-'));
  out = join(root, 'out');
  outside = join(root, 'outside');
  // What an attacker would like build to overwrite or delete: files shaped like generated output, and others.
  mkdirSync(join(outside, 'cluster-policies', 'retired'), { recursive: true });
  writeFileSync(join(outside, 'cluster-policies', 'retired', 'policy.yaml'), 'precious\n');
  writeFileSync(join(outside, 'victim.yaml'), 'precious\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Builds once into `out`, lets `plant` add a link, and checks that build and --check refuse and change nothing. */
async function expectRefusal(plant: () => string) {
  expect((await build()).code).toBe(0);
  const named = plant();
  const before = { out: snapshot(out), outside: snapshot(outside) };
  for (const extra of [[], ['--check']]) {
    const result = await build(...extra);
    expect(result.code, extra.join(' ')).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`palisade build: refusing to ${extra.length ? 'check' : 'write'} ${out}`);
    expect(result.stderr).toContain(`  ${named} is a symbolic link (->`);
    expect(result.stderr).toContain('Nothing was changed.');
    expect({ out: snapshot(out), outside: snapshot(outside) }).toEqual(before);
  }
}

describe('build never follows a symbolic link below --out', () => {
  it('refuses an owned folder that is a symbolic link, before writing anything', async () => {
    mkdirSync(out);
    symlinkSync(outside, join(out, 'kyverno'));
    const before = snapshot(outside);
    const result = await build();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`  ${join(out, 'kyverno')} is a symbolic link (-> ${outside})`);
    expect(snapshot(outside)).toEqual(before);
    // Not even the other, harmless folder was written.
    expect(readdirSync(out)).toEqual(['kyverno']);
  });

  it('refuses a symbolic link to a folder inside an owned folder', async () => {
    await expectRefusal(() => {
      const link = join(out, 'kyverno', 'cluster-policies');
      rmSync(link, { recursive: true });
      symlinkSync(join(outside, 'cluster-policies'), link);
      return link;
    });
  });

  it('refuses a generated file that is a symbolic link instead of writing through it', async () => {
    await expectRefusal(() => {
      const link = join(out, TEMPLATE);
      unlinkSync(link);
      symlinkSync(join(outside, 'victim.yaml'), link);
      return link;
    });
  });

  it('refuses a stray symbolic link instead of deleting what it points to', async () => {
    await expectRefusal(() => {
      const link = join(out, 'kyverno', 'stray.yaml');
      symlinkSync(join(outside, 'victim.yaml'), link);
      return link;
    });
  });

  it('refuses a symbolic link even when it points inside --out', async () => {
    await expectRefusal(() => {
      const link = join(out, 'kyverno', 'validating-policies');
      rmSync(link, { recursive: true });
      symlinkSync('cluster-policies', link);
      return link;
    });
  });

  it('refuses special files and paths that are the wrong type', async () => {
    expect((await build()).code).toBe(0);
    execFileSync('mkfifo', [join(out, 'kyverno', 'pipe')]);
    rmSync(join(out, 'gatekeeper', POLICY), { recursive: true });
    writeFileSync(join(out, 'gatekeeper', POLICY), 'a file where a folder goes\n');
    const before = snapshot(out);
    const result = await build();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(out, 'kyverno', 'pipe')} is not a regular file or directory`);
    expect(result.stderr).toContain(
      `${join(out, 'gatekeeper', POLICY)} is a file where build writes a folder`,
    );
    expect(snapshot(out)).toEqual(before);
    expect(
      scanOutput(out, ['gatekeeper/../../etc/passwd', 'other/x.yaml', 'kyverno//x']).problems.filter((p) =>
        p.startsWith('generated path'),
      ),
    ).toHaveLength(3);
  });

  it('follows --out itself when it is a symbolic link: the user named it', async () => {
    const real = join(root, 'real-out');
    mkdirSync(real);
    symlinkSync(real, out);
    expect((await build()).code).toBe(0);
    expect(readFileSync(join(real, TEMPLATE), 'utf8')).toContain('kind: ConstraintTemplate');
    expect((await build('--check')).code).toBe(0);
  });
});

describe('build writes atomically', () => {
  it('replaces a changed file by rename, leaves unchanged files and no temporary file', async () => {
    expect((await build()).code).toBe(0);
    const template = join(out, TEMPLATE);
    const constraint = join(out, 'gatekeeper', POLICY, 'constraint.yaml');
    const content = readFileSync(template, 'utf8');
    writeFileSync(template, 'stale\n');
    // A hard link shares the inode: writing through the old file would change this copy outside --out too.
    linkSync(template, join(outside, 'hard-link.yaml'));
    const templateInode = lstatSync(template).ino;
    const constraintInode = lstatSync(constraint).ino;
    const result = await build();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: 1 written, \d+ unchanged\n$/);
    expect(readFileSync(template, 'utf8')).toBe(content);
    expect(lstatSync(template).ino).not.toBe(templateInode);
    expect(readFileSync(join(outside, 'hard-link.yaml'), 'utf8')).toBe('stale\n');
    expect(lstatSync(constraint).ino).toBe(constraintInode);
    expect(Object.keys(snapshot(out)).filter((p) => p.includes('.palisade-tmp-'))).toEqual([]);
  });

  it('treats a temporary file left by an interrupted build as not generated, and removes it', async () => {
    expect((await build()).code).toBe(0);
    const leftover = join(out, 'gatekeeper', POLICY, '.palisade-tmp-4242-0-template.yaml');
    writeFileSync(leftover, 'half a templ');
    const check = await build('--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`not generated: gatekeeper/${POLICY}/.palisade-tmp-4242-0-template.yaml`);
    const result = await build();
    expect(result.stdout).toContain('0 written');
    expect(result.stdout).toContain('removed 1 no longer generated');
    expect((await build('--check')).code).toBe(0);
  });

  it('removes the folders of policies no longer selected', async () => {
    expect((await build('--policy', 'disallow-host-path')).code).toBe(0);
    expect(readdirSync(join(out, 'gatekeeper'))).toContain('disallow-host-path');
    expect((await build()).code).toBe(0);
    expect(readdirSync(join(out, 'gatekeeper'))).not.toContain('disallow-host-path');
    expect(readdirSync(join(out, 'kyverno', 'cluster-policies'))).toEqual([POLICY]);
    expect((await build('--check')).code).toBe(0);
  });
});
