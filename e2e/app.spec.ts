import { expect, test } from '@playwright/test';

test('the page runs the engine in its worker and lists the trace', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto('/');
  await expect(page.locator('#status')).toHaveText('done', { timeout: 30_000 });
  const events = Number(await page.locator('#event-count').textContent());
  expect(events).toBeGreaterThan(20);
  // The DNAT rewrite is in the trace the worker produced.
  await expect(page.locator('tr[data-kind="nat"]').first()).toContainText('DNAT');
  await expect(page.locator('#trace-hash')).toHaveText(/^[0-9a-f]{64}$/);
  // The worker, not the main thread, ran the engine: the main bundle has no engine code.
  const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
  expect(scripts.some((s) => /engine\.worker/.test(s))).toBe(true);
  expect(problems).toEqual([]);
});

test('the browser trace hash equals the one Node computes for the same seed', async ({ page }) => {
  const { runDemo } = await import('../src/engine/engine.ts');
  const nodeHash = runDemo('nat-demo').summary.traceHash;
  await page.goto('/');
  await expect(page.locator('#trace-hash')).toHaveText(nodeHash, { timeout: 30_000 });
});
