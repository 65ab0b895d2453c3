/**
 * Every scenario, in a real browser, as users will run theirs: each file is opened in the app
 * through its share link, runs in the worker, and must pass every expectation; the trace hash
 * the page shows must equal the one Node computes for the same file and seed.
 *
 * Point it at your own files with KUBEWIRE_SCENARIOS (a folder, a file, or a glob such as
 * `deploy/**\/*.kubewire.yaml`):
 *   KUBEWIRE_SCENARIOS=path/to/scenarios npx playwright test -c e2e/playwright.config.ts e2e/scenarios.spec.ts
 */
import { expect, test } from '@playwright/test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type {} from '../src/ui/script-api.ts';
import { runScenario } from '../src/engine/scenario/run.ts';
import { traceHash } from '../src/engine/trace/export.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files named by KUBEWIRE_SCENARIOS (folder, file or glob), or scenarios/*.yaml. */
function scenarioFiles(): string[] {
  const spec = process.env.KUBEWIRE_SCENARIOS ?? join(root, 'scenarios');
  const abs = resolve(process.cwd(), spec);
  if (existsSync(abs) && statSync(abs).isFile()) return [abs];
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    return readdirSync(abs)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(abs, f));
  }
  // A glob: the part before the first wildcard is the folder to walk.
  const star = abs.search(/[*?[]/);
  if (star < 0) throw new Error(`KUBEWIRE_SCENARIOS: no such file or folder: ${spec}`);
  const base = dirname(abs.slice(0, star + 1));
  const re = new RegExp(
    `^${relative(base, abs)
      .split(sep)
      .join('/')
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*\*\//g, '(?:.*/)?')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (re.test(relative(base, p).split(sep).join('/'))) out.push(p);
    }
  };
  walk(base);
  return out.sort();
}

/** The share link of a scenario text: `#s=` + base64url of its raw-deflate compression. */
function shareLink(text: string): string {
  return `/#s=${deflateRawSync(Buffer.from(text, 'utf8')).toString('base64url')}`;
}

const files = scenarioFiles();

test.describe('scenarios in the browser', () => {
  test('there is at least one scenario to run', () => {
    expect(files.length, `no scenario files found (KUBEWIRE_SCENARIOS=${process.env.KUBEWIRE_SCENARIOS ?? 'scenarios/'})`).toBeGreaterThan(0);
  });

  for (const file of files) {
    test(`${relative(root, file) || basename(file)}: every expectation passes, same trace as Node`, async ({ page }) => {
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      const text = readFileSync(file, 'utf8');
      await page.goto(shareLink(text));
      const result = await page.waitForFunction(() => window.kubewire?.result ?? null, null, { timeout: 60_000 }).then((h) => h.jsonValue());
      expect(result, 'the page produced no run result').not.toBeNull();
      expect(result!.valid, 'the file did not load in the page').toBe(true);
      // Through the page, as a person would see them: the list of expectations.
      const items = page.locator('[data-expectation]');
      await expect(items).toHaveCount(result!.expectations.length);
      const failed = result!.expectations.filter((e) => e.status !== 'pass').map((e) => `${e.name} — ${e.message}`);
      expect(failed, `failing expectations in ${basename(file)}`).toEqual([]);
      expect(await page.locator('[data-expectation][data-status="fail"]').count()).toBe(0);
      // Node and Chromium make the same trace.
      const node = runScenario(text, basename(file));
      expect(result!.traceHash).toBe(traceHash(node.world!.trace));
      expect(problems).toEqual([]);
    });
  }
});
