/**
 * The browser app, driven as a person would: open it, step with the keys, filter, search, pick a
 * field and see its bytes, follow an expectation to its event, share a link, break the scenario,
 * break the worker. Locators pierce the components' shadow roots.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EngineHost } from '../workers/engine-host.ts';
import type {} from '../src/ui/script-api.ts';

const CLUSTERIP = readFileSync(new URL('../scenarios/clusterip.yaml', import.meta.url), 'utf8');

/** Page errors and console errors seen so far. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

const shell = (page: Page) => page.locator('kw-app-shell');
const selectedRow = (page: Page) => page.locator('kw-packet-list .row[aria-selected="true"]');

/** Opens the app and waits until its scenario has run. */
async function openApp(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(shell(page)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

async function selected(page: Page): Promise<number> {
  return Number(await selectedRow(page).getAttribute('data-index'));
}

async function expectSelected(page: Page, index: number): Promise<void> {
  await expect(selectedRow(page)).toHaveAttribute('data-index', String(index));
}

/** The selected row lies inside the list's visible area (below its header row). */
async function expectSelectedInView(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.locator('kw-packet-list .scroller').evaluate((box) => {
        const row = box.querySelector('.row[aria-selected="true"]');
        if (!row) return 'no selected row';
        const b = box.getBoundingClientRect();
        const r = row.getBoundingClientRect();
        const head = box.querySelector('.header')!.getBoundingClientRect().height;
        return r.top >= b.top + head - 1 && r.bottom <= b.top + box.clientHeight + 1 ? 'in view' : `row at ${r.top}..${r.bottom}, view ${b.top + head}..${b.top + box.clientHeight}`;
      }),
    )
    .toBe('in view');
}

/** The selected event, as the run controls show it (it may be hidden from the list by a filter). */
async function expectEvent(page: Page, index: number): Promise<void> {
  await expect(page.locator('#position')).toHaveAttribute('data-event', String(index));
}

async function applyFilter(page: Page, expr: string): Promise<void> {
  await page.locator('#filter').fill(expr);
  await page.locator('#filter').press('Enter');
}

/** Selects the first NAT rewrite (DNAT of the first DNS query) through the display filter. */
async function selectFirstNat(page: Page): Promise<number> {
  await applyFilter(page, 'nat');
  await expect(page.locator('#displayed')).toContainText(' of ');
  const first = page.locator('kw-packet-list .row[data-kind="nat"]').first();
  await first.click();
  const index = Number(await first.getAttribute('data-index'));
  await expectSelected(page, index);
  await expect(page.locator('kw-packet-detail ins').first()).toBeVisible();
  return index;
}

/** Loads `text` through window.kubewire and runs it, as a script would. */
async function loadAndRun(page: Page, text: string): Promise<void> {
  await page.evaluate(async (t) => {
    await window.kubewire!.load(t);
    await window.kubewire!.run();
  }, text);
}

test.describe('the app', () => {
  test('opens on the ClusterIP example, already run in a worker, and agrees with Node on the trace hash', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await expect(page.locator('#scenario-name')).toHaveText('clusterip');
    await expect(page.locator('#verdict-badge')).toBeVisible();
    const result = await page.evaluate(() => window.kubewire!.result!);
    expect(result.traceEvents).toBeGreaterThan(1000);
    await expect(page.locator('#displayed')).toHaveText(`Displayed: ${result.traceEvents.toLocaleString('en-US')}`);
    await expectSelected(page, 0);
    // The engine ran in the worker: its chunk was fetched.
    const resources = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
    expect(resources.some((r) => /engine\.worker/.test(r))).toBe(true);
    // Node computes the same trace for the same file.
    const host = new EngineHost();
    await host.load(CLUSTERIP, 'clusterip.yaml');
    expect((await host.run()).traceHash).toBe(result.traceHash);
    // window.kubewire.trace() hands scripts every row.
    const rows = await page.evaluate(() => window.kubewire!.trace());
    expect(rows).toHaveLength(result.traceEvents);
    expect(rows[0]!.index).toBe(0);
    expect(problems).toEqual([]);
  });

  test('bundled examples: ?scenario=NAME opens one, the picker runs another', async ({ page }) => {
    const problems = watch(page);
    await openApp(page, '/?scenario=nodeport');
    await expect(page.locator('#scenario-name')).toHaveText('nodeport');
    await page.locator('#tab-scenario').click();
    await expect(page.locator('#example')).toHaveValue('nodeport');
    const names = await page.locator('#example option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(names).toContain('clusterip');
    await page.locator('#example').selectOption('headless');
    await expect(page.locator('#scenario-name')).toHaveText('headless');
    await expect(shell(page)).toHaveAttribute('data-status', 'ready');
    expect(await page.locator('#editor').inputValue()).toBe(readFileSync(new URL('../scenarios/headless.yaml', import.meta.url), 'utf8'));
    // An unknown name says so and opens the default.
    await openApp(page, '/?scenario=no-such-example');
    await expect(page.locator('#error')).toContainText('no-such-example');
    await expect(page.locator('#scenario-name')).toHaveText('clusterip');
    expect(problems).toEqual([]);
  });

  test('run controls and keys step forward and back, jump and play', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await page.locator('kw-packet-list .row[data-index="2"]').click();
    await expectSelected(page, 2);
    await page.keyboard.press('j');
    await expectSelected(page, 3);
    await page.keyboard.press('k');
    await expectSelected(page, 2);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expectSelected(page, 4);
    await page.keyboard.press('ArrowUp');
    await expectSelected(page, 3);
    await expect(page.locator('#position')).toContainText('Event 4');
    const total = (await page.evaluate(() => window.kubewire!.result!)).traceEvents;
    await page.keyboard.press('End');
    await expectSelected(page, total - 1);
    await page.keyboard.press('Home');
    await expectSelected(page, 0);
    // Stepping past the bottom edge scrolls the list a row at a time: the selection stays in view.
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowDown');
    await expectSelected(page, 40);
    await expectSelectedInView(page);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    await expectSelected(page, 37);
    await expectSelectedInView(page);
    await page.keyboard.press('Home');
    await expectSelected(page, 0);
    await expectSelectedInView(page);
    await page.locator('#step-forward').click();
    await expectSelected(page, 1);
    await page.locator('#step-back').click();
    await expectSelected(page, 0);
    await page.locator('#jump-end').click();
    await expectSelected(page, total - 1);
    await page.locator('#jump-start').click();
    await expectSelected(page, 0);
    // Play at 64 events a second, then pause with the space bar.
    await page.locator('#speed').selectOption('64');
    await page.locator('kw-packet-list .scroller').focus();
    await page.keyboard.press(' ');
    await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => selected(page)).toBeGreaterThan(5);
    await page.keyboard.press(' ');
    await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'false');
    const stopped = await selected(page);
    await page.waitForTimeout(300);
    expect(await selected(page)).toBe(stopped);
    expect(problems).toEqual([]);
  });

  test('the packet list is virtualised, filters with the engine and reports a bad filter', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const total = (await page.evaluate(() => window.kubewire!.result!)).traceEvents;
    const rendered = await page.locator('kw-packet-list .row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    // Scroll to the end: the last rows are fetched and shown, still only a screenful in the DOM.
    await page.locator('kw-packet-list .scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(page.locator(`kw-packet-list .row[data-index="${total - 1}"]`)).toContainText(String(total));
    expect(await page.locator('kw-packet-list .row').count()).toBeLessThan(100);
    // A filter the engine understands.
    await applyFilter(page, 'nat');
    await expect(page.locator('#displayed')).toContainText(' of ');
    const kinds = await page.locator('kw-packet-list .row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['nat']));
    await expect(page.locator('kw-packet-list .row.nat').first()).toBeVisible();
    await applyFilter(page, 'tcp.port == 80');
    const protos = await page.locator('kw-packet-list .row > div:nth-child(7)').evaluateAll((c) => c.map((x) => x.textContent));
    expect(protos.every((p) => p === 'TCP' || p === 'HTTP')).toBe(true);
    // One it does not: the engine's message, and the list stays as it was.
    await applyFilter(page, 'bogus ==');
    await expect(page.locator('#filter-error')).toContainText('bogus');
    await expect(page.locator('#filter')).toHaveAttribute('aria-invalid', 'true');
    await page.locator('kw-packet-list button', { hasText: 'Clear' }).click();
    await expect(page.locator('#displayed')).toHaveText(`Displayed: ${total.toLocaleString('en-US')}`);
    await expect(page.locator('#filter-error')).toHaveCount(0);
    expect(problems).toEqual([]);
  });

  test('find jumps to the next row containing the text, and back', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await page.locator('#search').fill('AAAA?');
    await page.locator('#search').press('Enter');
    await expect(page.locator('#search-status')).toContainText('Found');
    await expect(selectedRow(page)).toContainText('AAAA?');
    const first = await selected(page);
    await page.locator('#search').press('Enter');
    await expect.poll(() => selected(page)).toBeGreaterThan(first);
    await page.locator('#search').press('Shift+Enter');
    await expectSelected(page, first);
    await page.locator('#search').fill('no such text anywhere');
    await page.locator('#search').press('Enter');
    await expect(page.locator('#search-status')).toContainText('No row contains');
    expect(problems).toEqual([]);
  });

  test('packet detail: NAT fields show before → after, and a field highlights its bytes', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await selectFirstNat(page);
    const dst = page.locator('kw-packet-detail .field[data-key="IPv4#0/destination#0"]');
    await expect(dst.locator('del')).toHaveText('10.96.0.10');
    await expect(dst.locator('ins')).toHaveText(/^10\.244\.\d+\.\d+$/);
    await dst.click();
    await expect(dst).toHaveAttribute('aria-selected', 'true');
    const offset = Number(await dst.getAttribute('data-offset'));
    const len = Number(await dst.getAttribute('data-len'));
    expect(len).toBe(4);
    const lit = await page.locator('kw-hex-view .b.hl').evaluateAll((b) => b.map((x) => Number(x.getAttribute('data-i'))));
    // Each byte is lit twice: in the hex and in the ASCII column.
    expect([...new Set(lit)].sort((a, b) => a - b)).toEqual([offset, offset + 1, offset + 2, offset + 3]);
    expect(lit).toHaveLength(8);
    // The rewritten bytes are marked too.
    expect(await page.locator('kw-hex-view .b.ch').count()).toBeGreaterThanOrEqual(8);
    // Clicking a byte selects the field under it.
    await page.locator('kw-hex-view .hex [data-i]').nth(offset - 4).click();
    await expect(page.locator('kw-packet-detail .field[data-key="IPv4#0/source#0"]')).toHaveAttribute('aria-selected', 'true');
    expect(problems).toEqual([]);
  });

  test('why here: the hook, table, chain and rule, with the rule marked in iptables-save, route and conntrack', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const nat = await selectFirstNat(page);
    const why = page.locator('kw-why-here');
    await expect(why.locator('#steps li[aria-current="true"]')).toHaveAttribute('data-index', String(nat));
    await expect(why.locator('#steps li')).not.toHaveCount(1);
    await expect(why.locator('#netfilter')).toContainText('PREROUTING');
    await expect(why.locator('#netfilter')).toContainText('DNAT');
    // The rule that caused this rewrite is the one marked strongest, scrolled into view.
    await expect(why.locator('#ruleset .l.hit.selected')).toHaveCount(1);
    await expect(why.locator('#ruleset .l.hit.selected')).toContainText('-j DNAT --to-destination');
    // …and scrolled into view inside the ruleset box.
    await expect
      .poll(() =>
        why.locator('#ruleset').evaluate((box) => {
          const hit = box.querySelector<HTMLElement>('.hit.selected')!;
          return hit.offsetTop >= box.scrollTop && hit.offsetTop + hit.offsetHeight <= box.scrollTop + box.clientHeight;
        }),
      )
      .toBe(true);
    expect(await why.locator('#ruleset .l.hit').count()).toBeGreaterThan(1);
    await expect(why.locator('#route')).toContainText('10.');
    await expect(why.locator('#conntrack')).toContainText('original');
    // A step is a link to its event.
    const other = why.locator('#steps li[aria-current="false"]').first();
    const index = Number(await other.getAttribute('data-index'));
    await other.locator('button').click();
    await expectEvent(page, index);
    await expect(page.locator('#hidden-selection')).toContainText(`event ${index + 1} is hidden by the filter`);
    expect(problems).toEqual([]);
  });

  test('state at this event: stepping back shows the earlier tables', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const nat = await selectFirstNat(page);
    await page.locator('#tab-state').click();
    const view = page.locator('kw-state-view');
    await expect(view.locator('header')).toContainText(`event ${nat + 1}`);
    const entries = () => view.locator('#state-conntrack tr:has(td)').count();
    await expect.poll(entries).toBeGreaterThan(0);
    const atNat = await entries();
    await expect(view.locator('#state-endpoints')).toContainText('default/web');
    await page.locator('kw-packet-list button', { hasText: 'Clear' }).click();
    await page.locator('kw-packet-list .scroller').focus();
    await page.keyboard.press('End');
    await expect(view.locator('header')).not.toContainText(`event ${nat + 1} `);
    await expect.poll(entries).toBeGreaterThan(atNat);
    await expect(view.locator('#state-dns')).toBeVisible();
    await page.keyboard.press('Home');
    await expect(view.locator('header')).toContainText('event 1 ');
    await expect.poll(entries).toBeLessThan(atNat);
    expect(problems).toEqual([]);
  });

  test('flow ladder: the selected flow as a sequence diagram, clickable', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const nat = await selectFirstNat(page);
    await page.locator('#tab-ladder').click();
    const ladder = page.locator('kw-flow-ladder');
    await expect(ladder.locator('.caption')).toContainText('hosts');
    const items = ladder.locator('#ladder g[role="listitem"]');
    expect(await items.count()).toBeGreaterThan(5);
    expect(await ladder.locator('#ladder line.arrow').count()).toBeGreaterThan(1);
    const target = items.nth(1);
    const index = Number(await target.getAttribute('data-index'));
    expect(index).not.toBe(nat);
    await target.locator('rect.hit').click();
    await expectEvent(page, index);
    await expect(ladder.locator('rect.sel')).toHaveAttribute('y', String(1 * 20 + 3));
    expect(await ladder.locator('#ladder line.sel-arrow').count()).toBeLessThanOrEqual(1);
    // A new selection while the ladder's tab is hidden (it skips that work) shows when it comes back.
    await page.locator('#tab-topology').click();
    await page.locator('kw-packet-list .scroller').focus();
    await page.keyboard.press('End');
    // The last NAT event (the list shows the 'nat' filter): a decision of another flow.
    const shell = page.locator('kw-app-shell');
    await expect(shell).not.toHaveAttribute('data-selected', String(index));
    await expect.poll(async () => (await shell.getAttribute('data-shown')) === (await shell.getAttribute('data-selected'))).toBe(true);
    const stepped = Number(await shell.getAttribute('data-selected'));
    await page.locator('#tab-ladder').click();
    const slot = await ladder.locator('#ladder g[role="listitem"]').evaluateAll((gs, want) => gs.findIndex((g) => g.getAttribute('data-index') === String(want)), stepped);
    expect(slot).toBeGreaterThanOrEqual(0);
    await expect(ladder.locator('rect.sel')).toHaveAttribute('y', String(slot * 20 + 3));
    // Its arrows and marks were laid out for these rows, not for the flow shown before.
    const drawn = await ladder.locator('#ladder').evaluate((svg) => ({
      rows: [...svg.querySelectorAll('g[role="listitem"]')].map((g) => g.getAttribute('data-index')),
      marks: [...svg.querySelectorAll('g[data-index]:not([role])')].map((g) => g.getAttribute('data-index')),
    }));
    expect(drawn.marks.length).toBeGreaterThan(0);
    expect(drawn.marks.filter((i) => !drawn.rows.includes(i))).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('topology: nodes, pods and services, the packet on its host, click to filter', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const topo = page.locator('kw-topology-view #topology');
    for (const n of ['node-1', 'node-2', 'node-3', 'laptop']) await expect(topo.locator(`[data-host="${n}"]`)).toHaveCount(1);
    await expect(topo.locator('[data-service="default/web"]')).toContainText('ClusterIP 10.110.209.227');
    await expect(topo.locator('[data-host="client"]')).toContainText('10.244.3.3');
    await selectFirstNat(page);
    const host = await selectedRow(page).locator('div').nth(2).textContent();
    await expect(topo.locator('#packet')).toBeVisible();
    await expect(topo.locator(`g.current[data-host="${host}"]`)).toHaveCount(1);
    await expect(topo.locator('polyline.path')).toHaveCount(1);
    await topo.locator('[data-host="client"]').click();
    await expect(page.locator('#filter')).toHaveValue('ip.addr == 10.244.3.3');
    await expect(page.locator('#displayed')).toContainText(' of ');
    expect(problems).toEqual([]);
  });

  test('expectations: pass/fail with data attributes, each a link to the event that decided it', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await page.locator('#verdict-badge').click();
    const items = page.locator('[data-expectation]');
    const result = await page.evaluate(() => window.kubewire!.result!);
    await expect(items).toHaveCount(result.expectations.length);
    for (const e of result.expectations.slice(0, 5)) await expect(page.locator(`[data-expectation="${e.name}"]`)).toHaveAttribute('data-status', e.status);
    const decided = result.expectations.filter((e) => e.event !== null && e.event > 0);
    expect(decided.length).toBeGreaterThan(0);
    const e = decided[decided.length - 1]!;
    await page.locator(`[data-expectation="${e.name}"] button`).click();
    await expectSelected(page, e.event!);
    await expect(page.locator(`[data-expectation="${e.name}"]`)).toHaveAttribute('aria-current', 'true');
    expect(problems).toEqual([]);
  });

  test('a share link opens the same scenario at the same event in a fresh page', async ({ page, context }) => {
    const problems = watch(page);
    await openApp(page);
    await page.evaluate(() => window.kubewire!.select(123));
    await expectSelected(page, 123);
    await page.locator('#share').click();
    const url = await page.locator('#share-url').inputValue();
    expect(url).toMatch(/#s=[A-Za-z0-9_-]+&at=123$/);
    const hash = (await page.evaluate(() => window.kubewire!.result!)).traceHash;
    const fresh = await context.newPage();
    const freshProblems = watch(fresh);
    await openApp(fresh, url);
    await expectSelected(fresh, 123);
    await expect(fresh.locator('#position')).toContainText('Event 124');
    expect((await fresh.evaluate(() => window.kubewire!.result!)).traceHash).toBe(hash);
    await fresh.locator('#tab-scenario').click();
    expect(await fresh.locator('#editor').inputValue()).toBe(CLUSTERIP);
    expect([...problems, ...freshProblems]).toEqual([]);
  });

  test('a bad scenario shows its errors at their line and column, with no page or console errors', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const bad = CLUSTERIP.replace('    nodes: 3\n', '    nodes: lots\n');
    const line = bad.split('\n').findIndex((l) => l.includes('nodes: lots')) + 1;
    await page.locator('#tab-scenario').click();
    await page.locator('#editor').fill(bad);
    await page.locator('#editor').press('Control+Enter');
    await expect(shell(page)).toHaveAttribute('data-status', 'invalid');
    const item = page.locator(`#problems li[data-line="${line}"]`);
    await expect(item).toContainText(`clusterip.yaml:${line}:`);
    await expect(item).toContainText('spec.cluster.nodes');
    await expect(page.locator('kw-scenario-editor .ln.error')).toHaveText(String(line));
    await expect(page.locator(`kw-scenario-editor .inline-msg[data-line="${line}"]`)).toBeVisible();
    await expect(page.locator('#tab-scenario .tab-note')).toHaveText('1 error');
    await expect(page.locator('#editor')).toHaveAttribute('aria-invalid', 'true');
    await page.locator('#tab-expectations').click();
    await expect(page.locator('kw-expectations #invalid')).toBeVisible();
    // Clicking the problem puts the caret on it.
    await item.locator('button').click();
    await expect(page.locator('kw-scenario-editor .status')).toContainText(`Ln ${line},`);
    // YAML that does not parse is positioned too.
    await page.locator('#editor').fill(CLUSTERIP.replace('    nodes: 3\n', '    nodes: [3\n'));
    await page.locator('#run').click();
    await expect(shell(page)).toHaveAttribute('data-status', 'invalid');
    // The parser reports where the flow sequence fails to close: that line or the next.
    await expect(page.locator('#problems li').first()).toHaveAttribute('data-line', new RegExp(`^(${line}|${line + 1})$`));
    await expect(page.locator('#problems li').first()).toContainText('YAML syntax error');
    expect(problems).toEqual([]);
  });

  test('names and messages from the file are shown as text, never as markup', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const evil = '"><script>window.__xss=2</script><img src=x onerror="window.__xss=1">';
    const text = CLUSTERIP.replace('name: client resolves the Service name', `name: '${evil} resolves'`).replace(/description: .*/, `description: '<b>bold</b> ${evil}'`);
    await loadAndRun(page, text);
    await expect(shell(page)).toHaveAttribute('data-status', 'ready');
    await page.locator('#tab-expectations').click();
    const item = page.locator('[data-expectation]').filter({ hasText: `${evil} resolves` }).first();
    await expect(item).toBeVisible();
    expect(await item.getAttribute('data-expectation')).toContain(evil);
    await expect(page.locator('header .desc')).toContainText('<b>bold</b>');
    // A bad name in a manifest comes back in an error message: still text.
    await loadAndRun(page, CLUSTERIP.replace('  name: client\n', `  name: '${evil}'\n`));
    await page.locator('#tab-scenario').click();
    await expect(page.locator('#problems li').first()).toContainText('"><script>window.__xss=2</script><img src=x onerror=');
    await expect(page.locator('kw-scenario-editor .inline-msg').first()).toContainText('<img src=x onerror=');
    const imgs = await page.evaluate(() => {
      const count = (root: Document | ShadowRoot): number =>
        root.querySelectorAll('img, [onerror]').length + [...root.querySelectorAll('*')].reduce((n, el) => n + (el.shadowRoot ? count(el.shadowRoot) : 0), 0);
      return count(document);
    });
    expect(imgs).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  test('open a file with the chooser or by dropping it; the edited text survives a reload', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    await page.locator('#tab-scenario').click();
    const mine = CLUSTERIP.replace('name: clusterip\n', 'name: my-own-copy\n');
    await page.locator('kw-scenario-editor input[type="file"]').setInputFiles({ name: 'mine.yaml', mimeType: 'text/yaml', buffer: Buffer.from(mine) });
    await expect(page.locator('#scenario-name')).toHaveText('my-own-copy');
    await expect(shell(page)).toHaveAttribute('data-status', 'ready');
    // Drop another one onto the editor.
    const dropped = CLUSTERIP.replace('name: clusterip\n', 'name: dropped-copy\n');
    const dt = await page.evaluateHandle((t) => {
      const d = new DataTransfer();
      d.items.add(new File([t], 'dropped.yaml', { type: 'text/yaml' }));
      return d;
    }, dropped);
    const editor = page.locator('kw-scenario-editor .editor');
    await editor.dispatchEvent('dragover', { dataTransfer: dt });
    await editor.dispatchEvent('drop', { dataTransfer: dt });
    await expect(page.locator('#scenario-name')).toHaveText('dropped-copy');
    await expect(page.locator('kw-scenario-editor .file')).toHaveText('dropped.yaml');
    // The text replaced by the drop can be restored.
    await expect(page.locator('#restore-draft')).toBeVisible();
    // Edit, reload: the edit is offered back. (A run that passes shows the topology tab.)
    await expect(shell(page)).toHaveAttribute('data-status', 'ready');
    await page.locator('#tab-scenario').click();
    await page.locator('#editor').fill(`${dropped}# my unsaved note\n`);
    await page.waitForTimeout(600);
    await page.reload();
    await expect(shell(page)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await page.locator('#tab-scenario').click();
    await page.locator('#restore-draft').click();
    await expect(page.locator('#editor')).toHaveValue(/# my unsaved note\n$/);
    expect(problems).toEqual([]);
  });

  test('export: pcapng and the trace as JSON download', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const [pcap] = await Promise.all([page.waitForEvent('download'), page.locator('#export-pcapng').click()]);
    expect(pcap.suggestedFilename()).toBe('clusterip.pcapng');
    const bytes = readFileSync((await pcap.path())!);
    expect([...bytes.subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
    expect(json.suggestedFilename()).toBe('clusterip.trace.json');
    const text = readFileSync((await json.path())!, 'utf8');
    expect(text.length).toBeGreaterThan(1000);
    expect(text.trimStart()[0]).toMatch(/[[{]/);
    expect(problems).toEqual([]);
  });

  test('a long run shows progress, streams its trace into the list and can be cancelled; the trace so far stays browsable without long tasks', async ({ page }) => {
    const problems = watch(page);
    await openApp(page);
    const big = CLUSTERIP.replace('repeat: 30 ', 'repeat: 20000 ').replace('interval: 1ms', 'interval: 100us');
    await page.evaluate((t) => window.kubewire!.load(t), big);
    // Long tasks are watched from before the run: none while the engine runs and rows stream in.
    await page.evaluate(() => {
      const w = window as unknown as { __runLong: number[] };
      w.__runLong = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__runLong.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.locator('#run').click();
    await expect(page.locator('#progress-text')).toContainText('simulated', { timeout: 30_000 });
    await expect(page.locator('#progress-text')).not.toContainText(/^0 events/);
    // While it runs, the list shows the events recorded so far and follows the newest ones.
    await expect(shell(page)).toHaveAttribute('data-status', 'running');
    const streamed = page.locator('kw-packet-list .row[data-kind]');
    await expect(streamed.first()).toBeVisible({ timeout: 30_000 });
    const firstSeen = Number(await streamed.last().getAttribute('data-index'));
    await expect.poll(async () => Number(await streamed.last().getAttribute('data-index')), { timeout: 30_000 }).toBeGreaterThan(firstSeen + 100);
    await expect(shell(page)).toHaveAttribute('data-status', 'running');
    expect(await page.evaluate(() => window.kubewire!.streamed.batches)).toBeGreaterThan(1);
    await page.locator('#cancel').click();
    await expect(shell(page)).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
    // Long tasks while the engine ran, rows streamed in, and the cancelled run's answer arrived
    // (its 20,000 repeats cross as counts and packed bytes, not as objects).
    const runLong = await page.evaluate(() => {
      const w = window as unknown as { __runLong: number[] };
      return [...w.__runLong];
    });
    await page.locator('#tab-expectations').click();
    await expect(page.locator('kw-expectations .stop')).toContainText('cancelled');
    const total = (await page.evaluate(() => window.kubewire!.result!)).traceEvents;
    expect(total).toBeGreaterThan(10_000);
    // Sweep the whole list: rows stream in batches and no task blocks the page for 50 ms.
    await page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask' });
    });
    const scroller = page.locator('kw-packet-list .scroller');
    for (let i = 0; i <= 10; i++) {
      await scroller.evaluate((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), i / 10);
      await page.waitForTimeout(80);
    }
    await expect(page.locator(`kw-packet-list .row[data-index="${total - 1}"]`)).toContainText(String(total));
    expect(await page.evaluate(() => (window as unknown as { __long: number[] }).__long)).toEqual([]);
    expect(runLong).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('narrow screens stack the panels', async ({ page }) => {
    const problems = watch(page);
    await page.setViewportSize({ width: 700, height: 900 });
    await openApp(page);
    const boxes = await Promise.all(['top', 'list', 'detail', 'side'].map((p) => page.locator(`kw-app-shell .pane.${p}`).boundingBox()));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.height);
    for (const b of boxes) expect(b!.x + b!.width).toBeLessThanOrEqual(700);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
    await page.keyboard.press('j');
    await expectSelected(page, 1);
    expect(problems).toEqual([]);
  });
});

test.describe('a worker in trouble', () => {
  test('a worker that does not load is explained, the text is kept, and restart recovers', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*engine.worker*', (r) => r.abort());
    await page.goto('/');
    await expect(page.locator('#worker-failure')).toContainText('could not be loaded');
    await expect(shell(page)).toHaveAttribute('data-status', 'failed');
    await page.locator('#tab-scenario').click();
    await expect(page.locator('#editor')).toHaveValue(CLUSTERIP);
    await page.unroute('**/*engine.worker*');
    await page.locator('#restart').click();
    await expect(shell(page)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await expect(page.locator('#worker-failure')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('a worker that throws is explained with its message', async ({ page }) => {
    await page.route('**/*engine.worker*', (r) => r.fulfill({ contentType: 'text/javascript', body: 'throw new Error("boom from the test");' }));
    await page.goto('/');
    await expect(page.locator('#worker-failure')).toContainText('boom from the test');
    await expect(page.locator('#restart')).toBeVisible();
  });

  test('a worker that never answers is noticed', async ({ page }) => {
    test.setTimeout(90_000);
    await page.route('**/*engine.worker*', (r) => r.fulfill({ contentType: 'text/javascript', body: 'self.onmessage = () => {};' }));
    await page.goto('/');
    await expect(page.locator('#worker-failure')).toContainText('stopped answering', { timeout: 45_000 });
    await expect(page.locator('#restart')).toBeVisible();
  });
});
