/**
 * Property-based fuzzing of iptables-restore (fast-check; runs and seed from
 * src/engine/testing/fuzz-config.ts).
 *
 * `new Netfilter().restore(text)` over mutated kube-proxy rule dumps (the renderer's golden
 * files), over rules assembled from fragments of those dumps and over random token soups:
 * it never throws; it returns ok, or errors that each carry a line and column inside the text
 * and a message (never the "internal error" catch-all), and then nothing changed. A text that
 * loads saves to a normal form that is a fixed point: restoring the saved text, into a fresh
 * Netfilter or the same one, loads and saves identically (with and without counters).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTextMutations, fuzzCheck, fuzzTimeout, textMutationArb } from '../../../testing/fuzz-config.ts';
import { Netfilter } from './netfilter.ts';
import { MAX_ERRORS, type RestoreOptions } from './restore.ts';
import { BUILTIN_CHAINS, type TableName } from './rule.ts';

const here = dirname(fileURLToPath(import.meta.url));
const testdata = resolve(here, '../../k8s/kube-proxy/testdata');
const DUMPS = readdirSync(testdata)
  .filter((f) => f.endsWith('.rules'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(testdata, f), 'utf8') }));

const RULE_LINES = DUMPS.flatMap((d) => d.text.split('\n').filter((l) => l.startsWith('-A ')));
/** Chain names the dumps declare or jump to. */
const CHAINS = [...new Set(DUMPS.flatMap((d) => [...d.text.matchAll(/(?:^:|-[AjgNXF] )([A-Z][A-Z0-9-]*)/gm)].map((m) => m[1]!)))].sort();
const USER_CHAINS = CHAINS.filter((c) => c.startsWith('KUBE-'));
/** Each rule split before its `-m` and `-j` options: match blocks with their arguments (`-m tcp -p tcp --dport 80`) and targets (`-j DNAT --to-destination …`). */
const GROUPS = [...new Set(RULE_LINES.flatMap((l) => l.replace(/^-A \S+ /, '').split(/ (?=-[mj] )/)))];
const MATCH_GROUPS = GROUPS.filter((g) => !g.startsWith('-j '));
const TARGET_GROUPS = [...GROUPS.filter((g) => g.startsWith('-j ')), '-j ACCEPT', '-j DROP', '-j RETURN'];
/** The same rules cut before every option: looser pieces, mostly invalid together. */
const FRAGMENTS = [...new Set(RULE_LINES.flatMap((l) => l.replace(/^-A \S+ /, '').split(/ (?=(?:! )?--?[a-zA-Z])/)))];

const WORDS = [
  '*filter', '*nat', '*mangle', '*raw', '*security', 'COMMIT', '-A', '-I', '-D', '-R', '-N', '-X', '-F', '-P', '--append', '--insert',
  '--delete', '--replace', '--new-chain', '--delete-chain', '--flush', '--policy', '-m', '-j', '-g', '-p', '-s', '-d', '-i', '-o', '-f',
  '-c', '--set-counters', '!', '--match', '--jump', '--goto', '--protocol', '--source', '--destination', 'tcp', 'udp', 'sctp', 'icmp',
  'all', 'comment', '--comment', 'conntrack', '--ctstate', 'NEW,RELATED', 'INVALID', '--ctstatus', 'DNAT', 'mark', '--mark',
  '0x4000/0x4000', '0x00004000', 'MARK', '--or-mark', '--xor-mark', '--set-xmark', 'statistic', '--mode', 'random', 'nth', '--every',
  '--packet', '--probability', '0.5000000000', '1.5', '-0.1', 'multiport', '--dports', '--sports', '80,443', '1:65535', '--dport',
  '--sport', 'addrtype', '--dst-type', '--src-type', 'LOCAL', '--limit-iface-in', 'recent', '--name', '--set', '--rcheck', '--update',
  '--seconds', '10800', '--reap', '--hitcount', '--rsource', '--mask', '255.255.255.255', 'nfacct', '--nfacct-name', '--to-destination',
  '10.244.1.5:8080', '--to-source', '--to-ports', '--random', '--random-fully', '--persistent', 'REJECT', '--reject-with',
  'icmp-port-unreachable', 'tcp-reset', 'ACCEPT', 'DROP', 'RETURN', 'SNAT', 'MASQUERADE', 'PREROUTING', 'INPUT', 'FORWARD',
  'OUTPUT', 'POSTROUTING', '-', '[0:0]', '[1:2]', '[x:y]', '10.96.0.10', '10.244.0.0/16', '0.0.0.0/0', '127.0.0.0/8', '256.1.1.1',
  '1.2.3.4/33', 'eth0', 'cbr0+', '"a b"', "'c d'", '"unterminated', '\\"', '#', '65536', '-1', '0x', '4294967296', ...USER_CHAINS.slice(0, 20),
];
const CHARS = [...' \t-!:[]"\'#*,/.0123456789abcxyzACJKX\\', '\r', '\u00e9', '\u0000'];

const dumpMutation = textMutationArb(CHARS, WORDS);
const mutatedDump = fc.record({ dump: fc.constantFrom(...DUMPS), muts: fc.array(dumpMutation, { minLength: 1, maxLength: 4 }) }).map(({ dump, muts }) => applyTextMutations(dump.text, muts));

/** A table of rules assembled from pieces of real rules: often valid, often not. */
const fragmentTable = fc
  .record({
    table: fc.constantFrom<TableName>('nat', 'nat', 'nat', 'filter', 'filter', 'mangle', 'raw'),
    declared: fc.subarray(USER_CHAINS, { minLength: 0, maxLength: 30 }),
    rules: fc.array(
      fc.record({
        chain: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...USER_CHAINS) }, { weight: 1, arbitrary: fc.nat() }),
        pieces: fc.oneof(
          { weight: 30, arbitrary: fc.tuple(fc.array(fc.constantFrom(...MATCH_GROUPS), { maxLength: 2 }), fc.option(fc.constantFrom(...TARGET_GROUPS))).map(([m, t]) => (t ? [...m, t] : m)) },
          { weight: 1, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 6 }) },
        ),
      }),
      { maxLength: 8 },
    ),
    policies: fc.array(fc.tuple(fc.nat(), fc.oneof({ weight: 20, arbitrary: fc.constantFrom('ACCEPT', 'DROP') }, { weight: 1, arbitrary: fc.constantFrom('RETURN', '-') })), { maxLength: 2 }),
  })
  .map(({ table, declared, rules, policies }) => {
    const builtins = BUILTIN_CHAINS[table];
    const chainOf = (c: string | number): string => (typeof c === 'number' ? builtins[c % builtins.length]! : c);
    const used = new Set(declared);
    for (const r of rules) if (typeof r.chain === 'string') used.add(r.chain);
    return [
      `*${table}`,
      ...policies.map(([c, p]) => `:${chainOf(c)} ${p} [0:0]`),
      ...[...used].map((c) => `:${c} - [0:0]`),
      ...rules.map((r) => `-A ${chainOf(r.chain)} ${r.pieces.join(' ')}`.trimEnd()),
      'COMMIT',
      '',
    ].join('\n');
  });
const fragmentText = fc.array(fragmentTable, { minLength: 1, maxLength: 2 }).map((ts) => ts.join(''));

/** Lines of random words, with table headers and COMMITs among them. */
const tokenSoup = fc
  .array(
    fc.oneof(
      fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 }) }), { maxLength: 10 }).map((ws) => ws.join(' ')),
      fc.constantFrom('*nat', '*filter', 'COMMIT', ':KUBE-SERVICES - [0:0]', ':INPUT DROP [0:0]', '# comment', ''),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 25 },
  )
  .map((ls) => ls.join('\n'));

const restoreOptions: fc.Arbitrary<RestoreOptions> = fc.record({ noflush: fc.boolean(), counters: fc.boolean() });

// ---------------------------------------------------------------------------------------------
// Checks

function fail(msg: string): never {
  throw new Error(msg);
}

/** Restores `text` into a fresh Netfilter and checks the result; returns the Netfilter when it loaded. */
function checkRestore(text: string, opts: RestoreOptions): Netfilter | null {
  const nf = new Netfilter();
  const before = nf.save();
  const r = nf.restore(text, opts);
  if (r === null || typeof r !== 'object' || typeof r.ok !== 'boolean') fail(`restore returned ${String(r)}`);
  if (r.ok) return nf;
  const lines = text.split('\n').length;
  if (!Array.isArray(r.errors) || r.errors.length === 0) fail('restore failed without errors');
  if (r.errors.length > MAX_ERRORS) fail(`restore returned ${r.errors.length} errors, more than ${MAX_ERRORS}`);
  for (const e of r.errors) {
    const where = JSON.stringify(e);
    if (!Number.isInteger(e.line) || e.line < 1 || e.line > lines) fail(`${where}: line is not within 1..${lines}`);
    if (!Number.isInteger(e.column) || e.column < 1) fail(`${where}: column is below 1`);
    if (typeof e.message !== 'string' || e.message.trim() === '') fail(`${where}: empty message`);
    if (/internal error/.test(e.message)) fail(`${where}: a caught exception`);
  }
  if (nf.save() !== before) fail('a failed restore changed the tables');
  return null;
}

/** save() is a fixed point: restoring it (fresh or in place) loads and saves identically, with and without counters. */
function checkFixedPoint(nf: Netfilter): void {
  const saved = nf.save();
  const fresh = new Netfilter();
  const r = fresh.restore(saved);
  if (!r.ok) fail(`the saved text does not load: ${JSON.stringify(r.errors.slice(0, 3))}\n${saved}`);
  expect(fresh.save()).toBe(saved);
  const again = nf.restore(saved);
  if (!again.ok) fail(`the saved text does not load in place: ${JSON.stringify(again.errors.slice(0, 3))}`);
  expect(nf.save()).toBe(saved);
  const withCounters = nf.save({ counters: true });
  const c = new Netfilter();
  const rc = c.restore(withCounters, { counters: true });
  if (!rc.ok) fail(`the saved text with counters does not load: ${JSON.stringify(rc.errors.slice(0, 3))}`);
  expect(c.save({ counters: true })).toBe(withCounters);
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('fuzz: iptables-restore', () => {
  it('has kube-proxy dumps to mutate, and they load as they are', () => {
    expect(DUMPS.length).toBeGreaterThan(10);
    for (const d of DUMPS) {
      const nf = checkRestore(d.text, { noflush: true });
      if (!nf) fail(`${d.name} does not load`);
      checkFixedPoint(nf);
    }
  });

  it(
    'fuzz: restore of mutated kube-proxy dumps never throws, positions its errors, and saves to a fixed point',
    () => {
      fuzzCheck(
        'restore mutated kube-proxy dumps',
        fc.property(mutatedDump, restoreOptions, (text, opts) => {
          const nf = checkRestore(text, opts);
          if (nf) checkFixedPoint(nf);
        }),
      );
    },
    fuzzTimeout(3),
  );

  it(
    'fuzz: restore of rules assembled from kube-proxy fragments never throws, positions its errors, and saves to a fixed point',
    () => {
      fuzzCheck(
        'restore rules from fragments',
        fc.property(fragmentText, restoreOptions, (text, opts) => {
          const nf = checkRestore(text, opts);
          if (nf) checkFixedPoint(nf);
        }),
      );
    },
    fuzzTimeout(2),
  );

  it(
    'fuzz: restore of random token soups never throws and positions its errors',
    () => {
      fuzzCheck(
        'restore token soups',
        fc.property(tokenSoup, restoreOptions, (text, opts) => {
          const nf = checkRestore(text, opts);
          if (nf) checkFixedPoint(nf);
        }),
      );
    },
    fuzzTimeout(1),
  );
});

// ---------------------------------------------------------------------------------------------
// Regressions: inputs the fuzzers found, kept as plain tests

describe('fuzz regressions', () => {
  it('an nfacct name with a blank or a quote saves quoted, so the saved text loads again (seed -768626519)', () => {
    for (const name of [`'c d'`, `"a\\"b"`, `"x'y"`]) {
      const nf = checkRestore(`*filter\n:X - [0:0]\n-A X -m nfacct --nfacct-name ${name} -j ACCEPT\nCOMMIT\n`, {});
      if (!nf) fail(`${name} does not load`);
      checkFixedPoint(nf);
    }
    const nf = checkRestore(`*filter\n:X - [0:0]\n-A X -m nfacct --nfacct-name 'c d' -j ACCEPT\nCOMMIT\n`, {})!;
    expect(nf.save()).toContain('-A X -m nfacct --nfacct-name "c d" -j ACCEPT');
  });

  it('a chain name with a blank or a quote (possible through quoting) is refused (seed 1339880684)', () => {
    for (const decl of [`:'c d'KUBE-SERVICES - [0:0]`, `:"a'b" - [0:0]`, `-N 'x y'`, `-N 'a"b'`]) {
      const nf = new Netfilter();
      const r = nf.restore(`*filter\n${decl}\nCOMMIT\n`);
      expect(r.ok ? [] : r.errors.map((e) => [e.line, e.message.startsWith('invalid chain name')])).toEqual([[2, true]]);
    }
  });
});
