#!/usr/bin/env node
// The `kubewire` command: bundles the TypeScript CLI with esbuild (about 20 ms) into
// node_modules/.cache and runs it, so `npx kubewire` works from a clone with no build step and
// the engine runs as one optimised module, as it does in the browser.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'node_modules', '.cache', 'kubewire');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `cli-${process.pid}.mjs`);
try {
  await build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
} catch (e) {
  console.error(`kubewire: could not build the CLI: ${e.message}`);
  process.exit(3);
}
const { rmSync } = await import('node:fs');
const mod = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
