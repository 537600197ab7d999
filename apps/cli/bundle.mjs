// Bundles the CLI into dist/bin.js (run after tsc, which emits the library entry dist/index.js and the types).
// Why: Node 20 spends most of an unbundled start-up resolving, reading and compiling ~250 ES modules (zod alone is
// ~95); a bundle split per command starts in about half the time. Measured in docs/performance.md, "Start-up".
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const CHUNK = /^bin\..+\.js(\.map)?$/;

/**
 * `@palisade/policies` finds its fixture folders next to its own module; bundled, that module is here, so the bundle
 * finds the package where Node resolves it from the CLI (the workspace folder, or node_modules when installed).
 */
const catalogueLocation = {
  name: 'catalogue-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]policies[\\/]fixtures\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.dirname')) {
        throw new Error(
          `${args.path} no longer locates the catalogue with import.meta.dirname: update bundle.mjs`,
        );
      }
      const located = source.replaceAll(
        'import.meta.dirname',
        "dirname(__fileURLToPath(import.meta.resolve('@palisade/policies')))",
      );
      return {
        contents: `import { fileURLToPath as __fileURLToPath } from 'node:url';\n${located}`,
        loader: 'ts',
      };
    });
  },
};

// Chunks of an earlier build (their names carry a content hash).
for (const name of readdirSync('dist')) if (CHUNK.test(name)) rmSync(join('dist', name));

await build({
  entryPoints: { bin: 'src/bin.ts' },
  outdir: 'dist',
  bundle: true,
  // Each command is a chunk of its own, loaded when it runs (index.ts imports the commands lazily). Chunks sit next
  // to bin.js, so paths relative to the module (version.ts reads ../package.json) hold as in the tsc output.
  splitting: true,
  chunkNames: 'bin.[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The workspace packages are bundled from their sources, as `pnpm palisade` runs them.
  conditions: ['@palisade/source'],
  // tsx loads `--config palisade.config.ts` and registers loader hooks: it stays a dependency, loaded only then.
  external: ['tsx', 'tsx/*'],
  // `yaml` is CommonJS: its `require` calls need one in an ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  plugins: [catalogueLocation],
  sourcemap: true,
  logLevel: 'warning',
});
