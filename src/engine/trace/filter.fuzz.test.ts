/**
 * Property-based fuzzing of the display filter (fast-check; runs and seed from
 * src/engine/testing/fuzz-config.ts).
 *
 * `compileFilter` over expressions from the filter grammar (with wrong operators, values and
 * nesting mixed in), over token soups and over arbitrary text: it never throws; an error
 * carries a column inside the text (1 … length + 1) that its message names. A filter that
 * compiles runs over events with valid, mutated and random bytes without throwing, returns
 * ascending indices, and its negation `!(…)` compiles and matches exactly the other events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_SEED, fuzzCheck, fuzzTimeout } from '../../testing/fuzz-config.ts';
import { ipv4 } from '../wire/addr.ts';
import { emitArp } from '../wire/arp.ts';
import { encodeDns } from '../wire/dns.ts';
import { emitEthernet } from '../wire/ethernet.ts';
import { emitIcmp } from '../wire/icmp.ts';
import { emitIpv4 } from '../wire/ipv4.ts';
import { emitTcp } from '../wire/tcp.ts';
import { emitUdp } from '../wire/udp.ts';
import { LinkLayer, TRACE_KIND_NAMES, TraceKind } from './events.ts';
import { compileFilter, filterTrace, FILTER_FIELDS, FILTER_KINDS, FILTER_PROTOCOLS, type DisplayFilter } from './filter.ts';
import { TraceRecorder } from './recorder.ts';

// ---------------------------------------------------------------------------------------------
// Events to run compiled filters over

const A = ipv4('10.2.1.4');
const B = ipv4('10.96.0.10');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function ipPacket(proto: number, l4: Uint8Array): Uint8Array {
  const b = new Uint8Array(20 + l4.length);
  emitIpv4({ src: A, dst: B, proto, ttl: 64, payloadLen: l4.length, dontFrag: true }, b, 0);
  b.set(l4, 20);
  return b;
}
function udp(sp: number, dp: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  emitUdp({ srcPort: sp, dstPort: dp, payload }, b, 0, A, B);
  return ipPacket(17, b);
}
function tcp(sp: number, dp: number, flags: number, payload: Uint8Array, lengthPrefixed = false): Uint8Array {
  const body = lengthPrefixed ? Uint8Array.from([payload.length >> 8, payload.length & 255, ...payload]) : payload;
  const b = new Uint8Array(20 + body.length);
  emitTcp({ srcPort: sp, dstPort: dp, seq: 1, ack: 2, flags, window: 1000, payload: body }, b, 0, A, B);
  return ipPacket(6, b);
}
function eth(type: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(14 + payload.length);
  emitEthernet({ dst: 0x02420a020101, src: 0x02420a020104, etherType: type }, b, 0);
  b.set(payload, 14);
  return b;
}
const dnsQuery = encodeDns({ id: 7, rd: true, questions: [{ name: 'Web.Default.svc.cluster.local.', type: 1, class: 1 }], answers: [], authority: [], additional: [] });
const icmpEcho = (() => {
  const b = new Uint8Array(16);
  emitIcmp({ kind: 'echo-request', ident: 1, seq: 2, data: new Uint8Array(8) }, b, 0);
  return ipPacket(1, b);
})();
const arp = (() => {
  const b = new Uint8Array(28);
  emitArp({ operation: 1, senderMac: 0x02420a020104, senderIp: A, targetMac: 0, targetIp: B }, b, 0);
  return b;
})();

/** Valid frames of every shape the filter reads, with their link layer. */
const FRAMES: readonly (readonly [LinkLayer, Uint8Array])[] = [
  [LinkLayer.Ethernet, eth(0x0800, udp(40000, 53, dnsQuery))],
  [LinkLayer.Ethernet, eth(0x0800, tcp(41000, 53, 0x18, dnsQuery, true))],
  [LinkLayer.Ethernet, eth(0x0800, tcp(41000, 8080, 0x02, new Uint8Array(0)))],
  [LinkLayer.Ethernet, eth(0x0800, tcp(41000, 9999, 0x18, text('GET / HTTP/1.1\r\nHost: web\r\n\r\n')))],
  [LinkLayer.Ethernet, eth(0x0800, tcp(80, 41000, 0x18, text('HTTP/1.1 200 OK\r\n\r\nhi')))],
  [LinkLayer.Ethernet, eth(0x0800, icmpEcho)],
  [LinkLayer.Ethernet, eth(0x0806, arp)],
  [LinkLayer.Ppp, Uint8Array.from([0x00, 0x21, ...udp(5000, 5001, text('x'))])],
  [LinkLayer.Ppp, Uint8Array.from([0xff, 0x03, 0x21, ...icmpEcho])],
  [LinkLayer.RawIpv4, tcp(41000, 8080, 0x12, new Uint8Array(0))],
  [LinkLayer.RawIpv4, udp(53, 40000, dnsQuery)],
];

/** One event: a frame (valid, mutated or random bytes) or a note without bytes. */
type EventSpec =
  | { readonly kind: 'frame'; readonly frame: number; readonly flips: readonly (readonly [number, number])[]; readonly cut: number }
  | { readonly kind: 'bytes'; readonly link: LinkLayer; readonly bytes: Uint8Array }
  | { readonly kind: 'note'; readonly traceKind: number; readonly flow: number };

const eventSpec: fc.Arbitrary<EventSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('frame' as const), frame: fc.nat(FRAMES.length - 1), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), cut: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), link: fc.constantFrom(LinkLayer.Ethernet, LinkLayer.Ppp, LinkLayer.RawIpv4), bytes: fc.uint8Array({ minLength: 1, maxLength: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('note' as const), traceKind: fc.nat(TRACE_KIND_NAMES.length - 1), flow: fc.nat(3) }) },
);

const HOSTS = ['client', 'node-1', 'node-2', 'kube-system/coredns-1'];

function buildTrace(specs: readonly EventSpec[]): TraceRecorder {
  const trace = new TraceRecorder();
  specs.forEach((s, i) => {
    const host = HOSTS[i % HOSTS.length]!;
    if (s.kind === 'note') {
      trace.note(s.traceKind as TraceKind, i * 1000, host, '', i, { flow: s.flow, text: 'x' });
      return;
    }
    let link: LinkLayer;
    let b: Uint8Array;
    if (s.kind === 'frame') {
      const [l, f] = FRAMES[s.frame]!;
      link = l;
      b = f.slice();
      for (const [at, v] of s.flips) b[at % b.length] = v;
      // Mostly whole frames; sometimes cut short.
      if (s.cut % 3 === 0) b = b.subarray(0, s.cut % (b.length + 1));
    } else {
      link = s.link;
      b = s.bytes;
    }
    if (b.length === 0) b = Uint8Array.of(0);
    trace.packet((i % 2) as TraceKind, i * 1000, host, 'eth0', i, link, b, 0, b.length, { flow: i % 3 });
  });
  return trace;
}

/** A fixed trace for the text-only properties: every valid frame, then mutated and random events. */
const FIXED_TRACE = buildTrace([
  ...FRAMES.map((_, frame): EventSpec => ({ kind: 'frame', frame, flips: [], cut: 1 })),
  ...fc.sample(eventSpec, { numRuns: 60, seed: FUZZ_SEED }),
]);

// ---------------------------------------------------------------------------------------------
// Expressions

const OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'EQ', 'Contains'];
const BAD_OPS = ['=', '&', '|', '===', '=>', '!', '~'];
const WORDS = [...FILTER_FIELDS, ...FILTER_PROTOCOLS, ...FILTER_KINDS];
const ip = fc.tuple(fc.nat(300), fc.nat(255), fc.nat(255), fc.nat(300)).map((o) => o.join('.'));
const value = fc.oneof(
  ip,
  fc.tuple(ip, fc.nat(40)).map(([a, l]) => `${a}/${l}`),
  fc.nat().map(String),
  fc.constantFrom('0', '65535', '4294967295', '99999999999999999999', '0x', '0x1f', '0XFF', 'true', 'false', '-1', '1.5', '1e3', ''),
  fc.tuple(fc.array(fc.nat(255), { minLength: 6, maxLength: 6 }), fc.constantFrom(':', '-')).map(([o, sep]) => o.map((x) => x.toString(16).padStart(2, '0')).join(sep)),
  fc.constantFrom(...TRACE_KIND_NAMES, 'NAT', 'nope', 'web.default.svc.cluster.local.', 'Web', 'node-1'),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/'/g, '')}'`),
  fc.string({ unit: fc.constantFrom(...'abcdef0123456789.:/-_xX'), maxLength: 12 }),
);
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.constantFrom('ip.adr', 'tcp', 'IP.SRC', 'dns.qry', 'kind.x', 'x') }, { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcipt.'), minLength: 1, maxLength: 8 }) });
const space = fc.constantFrom('', ' ', ' ', '  ', '\t', '\n');

const goodIp = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const goodMac = fc.array(fc.nat(255), { minLength: 6, maxLength: 6 }).map((o) => o.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const sym = (ops: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...ops).map((op) => ` ${op} `);
/** Comparisons that type-check: each field with a value of its type. */
const typedTest = fc.oneof(
  fc.tuple(fc.constantFrom('ip.addr', 'ip.src', 'ip.dst'), sym(['==', '!=']), fc.oneof(goodIp, fc.tuple(goodIp, fc.nat(32)).map(([a, l]) => `${a}/${l}`), fc.constantFrom('10.2.1.4', '10.96.0.10', '10.0.0.0/8'))),
  fc.tuple(fc.constantFrom('ip.addr', 'ip.src', 'ip.dst'), sym(['<', '>=', 'le']), goodIp),
  fc.tuple(fc.constantFrom(...FILTER_FIELDS.filter((f) => /port|len|ttl|proto|flags|type|code|opcode|uid|flow|index|time/.test(f))), sym(['==', '!=', '<', '<=', '>', '>=', 'eq', 'gt']), fc.oneof(fc.nat(70000).map(String), fc.constantFrom('53', '80', '8080', '0x12', 'true', 'false'))),
  fc.tuple(fc.constantFrom('eth.addr', 'eth.src', 'eth.dst'), sym(['==', '!=']), fc.oneof(goodMac, fc.constantFrom('02:42:0a:02:01:01', 'ff:ff:ff:ff:ff:ff'))),
  fc.tuple(fc.constantFrom('kind'), sym(['==', '!=', 'contains']), fc.constantFrom(...TRACE_KIND_NAMES, 'NAT', 'e')),
  fc.tuple(fc.constantFrom('host', 'iface', 'dns.qry.name'), sym(['==', '!=', 'contains']), fc.constantFrom('client', 'node-1', '"kube-system/coredns-1"', 'eth0', 'web.default.svc.cluster.local.', 'WEB.default.svc.cluster.local', 'svc', '""')),
).map(([f, op, v]) => f + op + v);

const test = fc.oneof(
  { weight: 2, arbitrary: typedTest },
  name,
  fc.tuple(name, space, fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...OPS) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_OPS) }), space, value).map(([n, s1, op, s2, v]) => {
    // Word operators need blanks around them.
    const wordOp = /^[a-z]/i.test(op);
    return `${n}${wordOp ? ' ' : s1}${op}${wordOp ? ' ' : s2}${v}`;
  }),
);
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    test,
    fc.tuple(fc.constantFrom('!', 'not ', '! ', 'NOT '), tie('expr')).map(([n, e]) => n + e),
    fc.tuple(space, tie('expr'), space).map(([a, e, b]) => `(${a}${e}${b})`),
    fc.tuple(tie('expr'), fc.constantFrom(' && ', '&&', ' and ', ' AND ', ' || ', '||', ' or ', ' Or '), tie('expr')).map(([a, op, b]) => a + op + b),
  ),
}));
/** Grammar expressions, sometimes with a token dropped, doubled or a stray character added. */
const grammarExpr = fc.tuple(expr, fc.option(fc.tuple(fc.nat(), fc.constantFrom('drop', 'stray') as fc.Arbitrary<'drop' | 'stray'>, fc.constantFrom(...'()!&|="\'<>, \u00e9')), { freq: 4 })).map(([e, edit]) => {
  if (!edit) return e;
  const [at, how, ch] = edit;
  const p = at % (e.length + 1);
  return how === 'drop' ? e.slice(0, p) + e.slice(p + 1) : e.slice(0, p) + ch + e.slice(p);
});
const tokenSoup = fc
  .array(fc.oneof(fc.constantFrom(...WORDS, ...OPS, ...BAD_OPS, '(', ')', '&&', '||', '!', 'and', 'or', 'not', '"', "'", '"x"', '10.0.0.1', '10.0.0.0/8', '80'), value), { maxLength: 10 })
  .chain((ts) => fc.array(space, { minLength: ts.length, maxLength: ts.length }).map((sp) => ts.map((t, i) => t + sp[i]).join('')));
const anyText = fc.oneof(grammarExpr, tokenSoup, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));

// ---------------------------------------------------------------------------------------------
// Checks

function fail(msg: string): never {
  throw new Error(msg);
}

/** Compiles `src`; checks a failure's column and message; returns the filter when it compiled. */
function checkCompile(src: string): DisplayFilter | null {
  const c = compileFilter(src);
  if (c === null || typeof c !== 'object' || typeof c.ok !== 'boolean') fail(`compileFilter returned ${String(c)}`);
  if (c.ok) {
    if (c.filter.text !== src) fail('the filter does not keep its text');
    return c.filter;
  }
  if (typeof c.error !== 'string' || c.error === '') fail('an error without a message');
  if (!Number.isInteger(c.column) || c.column < 1 || c.column > src.length + 1) fail(`column ${c.column} is outside 1..${src.length + 1}: ${c.error}`);
  if (!c.error.includes(`column ${c.column}`)) fail(`the message does not name column ${c.column}: ${c.error}`);
  return null;
}

/** Runs a compiled filter and its negation over `trace`. */
function checkRun(src: string, f: DisplayFilter, trace: TraceRecorder): void {
  const hits = filterTrace(trace, f);
  for (let i = 0; i < hits.length; i++) {
    if (hits[i]! >= trace.length || (i > 0 && hits[i]! <= hits[i - 1]!)) fail(`filterTrace returned ${Array.from(hits).join(',')}`);
  }
  if (f.all) {
    expect(hits.length).toBe(trace.length);
    return;
  }
  const neg = compileFilter(`!(${src})`);
  if (!neg.ok) fail(`"${src}" compiles but its negation does not: ${neg.error}`);
  for (let i = 0; i < trace.length; i++) {
    const ev = trace.event(i);
    const m = f.matches(ev);
    if (typeof m !== 'boolean') fail(`matches returned ${String(m)}`);
    if (neg.filter.matches(ev) === m) fail(`"${src}" and its negation agree on event ${i}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('fuzz: display filter', () => {
  it('compiles the grammar often enough to run filters', () => {
    const sample = fc.sample(expr, { numRuns: 500, seed: 1 });
    const ok = sample.filter((s) => compileFilter(s).ok).length;
    expect(ok).toBeGreaterThan(50);
  });

  it(
    'fuzz: compileFilter on random expressions never throws and errors carry their column',
    () => {
      fuzzCheck(
        'compileFilter on random expressions',
        fc.property(anyText, (src) => {
          const f = checkCompile(src);
          if (f) checkRun(src, f, FIXED_TRACE);
        }),
      );
    },
    fuzzTimeout(0.5),
  );

  it(
    'fuzz: compiled filters run over valid, mutated and random events',
    () => {
      fuzzCheck(
        'filters over random events',
        fc.property(expr, fc.array(eventSpec, { minLength: 1, maxLength: 8 }), (src, events) => {
          const f = checkCompile(src);
          if (f) checkRun(src, f, buildTrace(events));
        }),
      );
    },
    fuzzTimeout(0.5),
  );
});
