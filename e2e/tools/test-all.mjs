#!/usr/bin/env node
// `npm test`: type-check, unit tests, build, then the Playwright suite, ending with one
// "tests: N passed, N failed, N skipped" line. Finds a browser first (Debian's chromium,
// or Playwright's own), or stops with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
const t0 = Date.now();
const step = (name) => console.log(`\n== ${name}  [t+${Math.round((Date.now() - t0) / 1000)}s]`);
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

function findBrowser() {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (existsSync(cache) && readdirSync(cache).some((d) => d.startsWith('chromium'))) return 'playwright';
  return null;
}

let browser = findBrowser();
if (!browser && existsSync('/etc/debian_version') && process.getuid?.() === 0) {
  step("no browser found: installing Debian's chromium");
  run('bash', ['-c', 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null']);
  browser = findBrowser();
}
if (!browser) {
  console.error('\nNo Chromium found for the browser tests. Run one of:\n' +
    '  sudo apt-get install chromium            (Debian/Ubuntu)\n' +
    '  npx playwright install chromium          (anywhere else)\n' +
    'or point PLAYWRIGHT_CHROMIUM_EXECUTABLE at a Chrome/Chromium binary, then run `npm test` again.');
  process.exit(1);
}

rmSync('reports', { recursive: true, force: true });
mkdirSync('reports', { recursive: true });
const failures = [];

step('typecheck');
if (run('npm', ['run', '-s', 'typecheck']) !== 0) failures.push('typecheck');

step('unit tests (vitest)');
if (run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=reports/unit.json']) !== 0) failures.push('unit');

step('build (vite)');
const built = run('npx', ['vite', 'build', '--logLevel', 'warn']) === 0;
if (!built) failures.push('build');

step('browser tests (playwright)');
if (built) {
  if (run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: 'reports/e2e.json',
  }) !== 0) failures.push('e2e');
} else console.log('skipped: the build failed');

step('summary');
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const u = read('reports/unit.json');
const e = read('reports/e2e.json')?.stats;
const passed = (u?.numPassedTests ?? 0) + (e?.expected ?? 0) + (e?.flaky ?? 0);
const failed = (u?.numFailedTests ?? 0) + (e?.unexpected ?? 0);
const skipped = (u?.numPendingTests ?? 0) + (u?.numTodoTests ?? 0) + (e?.skipped ?? 0);
console.log(`unit: ${u ? `${u.numPassedTests} passed, ${u.numFailedTests} failed` : 'no report'}; ` +
  `browser: ${e ? `${e.expected + e.flaky} passed, ${e.unexpected} failed` : 'no report'}; ` +
  `${Math.round((Date.now() - t0) / 1000)}s`);
if (failures.length) console.log(`failed steps: ${failures.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length || passed === 0 ? 1 : 0);
