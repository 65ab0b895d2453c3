/**
 * Expectations: after a run, each traffic item's expectations and the scenario-wide ones are
 * checked against what happened — the trace (NAT rewrites, conntrack entries, hops), what the
 * servers recorded (who served, which client address they saw) and the clients' results — and
 * each reports pass or fail with a message saying what was seen.
 */
import { formatIpv4, parseIpv4 } from '../wire/addr.ts';
import type { FlowFacts } from './flow-facts.ts';
import { namespaceOf, type Pod } from '../k8s/model/index.ts';
import type { World } from './world.ts';
import type { RepeatResult, TrafficResult } from './traffic.ts';
import type { AddressPort, AddressValue, ScenarioExpectation, TrafficExpect, TrafficItem } from './model.ts';
import { formatRef } from './model.ts';

/** One expectation's outcome. */
export interface ExpectationResult {
  /** "traffic item: key" for traffic expectations; the given name (or kind) for scenario-wide ones. */
  name: string;
  status: 'pass' | 'fail';
  message: string;
  /** The trace event that decided it (the first event of the failing or last repeat), or null. */
  event: number | null;
}

export type { FlowFacts } from './flow-facts.ts';

/**
 * The per-flow facts: gathered live while the run offered events to the trace (see
 * flow-facts.ts), so they are whole even when the stored trace is a sample.
 */
export function flowFacts(world: World): Map<number, FlowFacts> {
  return world.flowFacts.facts;
}

/** Fills the server-side facts of each repeat (who served, what it saw, conntrack, DNAT, hops). */
export function annotateRepeats(world: World, traffic: TrafficResult[], facts: Map<number, FlowFacts>): void {
  const servedByFlow = new Map<number, { pod: string; local: string; client: string }>();
  for (const e of world.served) if (e.flow && !servedByFlow.has(e.flow)) servedByFlow.set(e.flow, { pod: `${e.namespace}/${e.pod}`, local: e.local, client: e.client });
  // DNS servers serve DNS traffic items; for the others they only answered the name lookup.
  const dnsByFlow = new Map<number, { pod: string; local: string; client: string }>();
  for (const rt of world.allPodRuntimes()) {
    for (const e of rt.dns?.log ?? []) if (e.flow && !dnsByFlow.has(e.flow)) dnsByFlow.set(e.flow, { pod: rt.key, local: e.local, client: e.client });
  }
  for (const t of traffic) {
    for (const r of t.repeats) {
      const s = t.kind === 'dns' ? dnsByFlow.get(r.flow) : servedByFlow.get(r.flow);
      if (s) {
        r.servedBy = s.pod;
        r.serverLocal = s.local;
        r.clientSeen = s.client;
      }
      const f = facts.get(r.flow);
      if (f) {
        r.conntrack = f.conntrack;
        r.dnat = f.dnat.filter((d) => t.kind === 'dns' || !d.dns).map(({ node, before, after }) => ({ node, before, after }));
        const hops: string[] = [];
        for (const h of f.receivedBy) if (world.cluster.nodes.has(h) && hops[hops.length - 1] !== h) hops.push(h);
        r.hops = hops;
      }
    }
  }
}

// ---- evaluation ------------------------------------------------------------------------------

function pct(n: number, d: number): string {
  return d === 0 ? '0%' : `${Math.round((100 * n) / d)}%`;
}

function podOf(world: World, key: string): Pod | undefined {
  return world.current.pods.find((p) => `${namespaceOf(p.metadata)}/${p.metadata.name}` === key) ?? world.pods.get(key)?.pod ?? world.gone.get(key)?.pod;
}

function servedText(world: World, key: string | undefined): string {
  if (!key) return 'no server';
  const rt = world.pods.get(key) ?? world.gone.get(key);
  const pod = podOf(world, key);
  const ip = rt ? formatIpv4(rt.net.ip) : (pod?.status?.podIP ?? '?');
  const node = pod?.spec.nodeName ? ` on ${pod.spec.nodeName}` : '';
  return `${key.startsWith('default/') ? key.slice(8) : key} (${ip}${node})`;
}

/** The IPv4 addresses an expectation value stands for (a node stands for its NIC and its bridge). */
function addressesOf(world: World, v: AddressValue): number[] {
  if (v.kind === 'ip') {
    const ip = parseIpv4(v.ip);
    return ip === null ? [] : [ip];
  }
  const ref = v.ref;
  const ns = ref.namespace ?? 'default';
  switch (ref.kind) {
    case 'pod': {
      const rt = world.pods.get(`${ns}/${ref.name}`);
      const pod = podOf(world, `${ns}/${ref.name}`);
      const ip = rt?.net.ip ?? (pod?.status?.podIP ? parseIpv4(pod.status.podIP) : null);
      return ip === null || ip === undefined ? [] : [ip];
    }
    case 'node': {
      const n = world.cluster.nodes.get(ref.name);
      return n ? [n.ip, n.podSubnet.at(1)] : [];
    }
    case 'client': {
      const e = world.cluster.externals.get(ref.name);
      return e ? [e.ip] : [];
    }
    case 'service': {
      const svc = world.service(ns, ref.name);
      const ips: number[] = [];
      const cip = svc?.spec.clusterIP ? parseIpv4(svc.spec.clusterIP) : null;
      if (cip !== null && cip !== undefined) ips.push(cip);
      for (const i of svc?.status?.loadBalancer?.ingress ?? []) {
        const x = i.ip ? parseIpv4(i.ip) : null;
        if (x !== null) ips.push(x);
      }
      return ips;
    }
    default:
      return [];
  }
}

function addrPortMatches(world: World, ap: AddressPort, text: string): boolean {
  const [ipText, portText] = text.split(':');
  const ip = parseIpv4(ipText ?? '');
  if (ip === null) return false;
  if (!addressesOf(world, ap.address).includes(ip)) return false;
  return ap.port === undefined || Number(portText) === ap.port;
}

function addrPortText(ap: AddressPort): string {
  const a = ap.address.kind === 'ip' ? ap.address.ip : formatRef(ap.address.ref);
  return ap.port === undefined ? a : `${a}:${ap.port}`;
}

/** Evaluates one traffic item's expectations. */
function checkTraffic(world: World, item: TrafficItem, res: TrafficResult, facts: Map<number, FlowFacts>): ExpectationResult[] {
  const e: TrafficExpect | undefined = item.expect;
  if (!e) return [];
  const out: ExpectationResult[] = [];
  const reps = res.repeats;
  const n = reps.length;
  // The flow's first kept event (-1 when the trace sample kept none of it: no event to point at).
  const firstEvent = (r: RepeatResult | undefined) => {
    const first = r ? facts.get(r.flow)?.first : undefined;
    return first === undefined || first < 0 ? null : first;
  };
  const add = (key: string, bad: RepeatResult | undefined, passMsg: string, failMsg: string | null) => {
    out.push({
      name: `${item.name}: ${key}`,
      status: failMsg === null ? 'pass' : 'fail',
      message: failMsg ?? passMsg,
      event: firstEvent(bad ?? reps[reps.length - 1]),
    });
  };
  const describeRep = (r: RepeatResult) =>
    r.error ? `repeat ${r.index + 1}: ${r.error}` : r.status !== undefined ? `repeat ${r.index + 1}: HTTP ${r.status}` : `repeat ${r.index + 1}: ok`;
  const notFinished = reps.find((r) => r.finishedAt < 0);

  if (e.status !== undefined) {
    const bad = reps.find((r) => r.status !== e.status);
    add('status', bad, `all ${n} got HTTP ${e.status}`, bad ? `expected HTTP ${e.status}, ${describeRep(bad)}` : null);
  }
  if (e.body) {
    const m = e.body;
    const test = (s: string) => (m.kind === 'substring' ? s.includes(m.text) : new RegExp(m.source, m.flags).test(s));
    const bad = reps.find((r) => !test(r.body ?? ''));
    const want = m.kind === 'substring' ? `"${m.text}"` : `/${m.source}/${m.flags}`;
    add('body', bad, `all ${n} bodies match ${want}`, bad ? `expected the body to match ${want}, repeat ${bad.index + 1} got ${JSON.stringify((bad.body ?? bad.error ?? '').slice(0, 120))}` : null);
  }
  if (e.servedBy) {
    const matchers = e.servedBy;
    const ok = (key: string | undefined) => {
      if (!key) return false;
      const pod = podOf(world, key);
      return matchers.some((m) => {
        if (m.kind === 'pod') return key === `${m.pod.namespace ?? 'default'}/${m.pod.name}`;
        const labels = pod?.metadata.labels ?? {};
        return Object.entries(m.selector).every(([k, v]) => labels[k] === v);
      });
    };
    const want = matchers.map((m) => (m.kind === 'pod' ? formatRef(m.pod) : Object.entries(m.selector).map(([k, v]) => `${k}=${v}`).join(','))).join(' or ');
    const bad = reps.find((r) => !ok(r.servedBy));
    const seen = [...new Set(reps.map((r) => servedText(world, r.servedBy)))].join(', ');
    add('servedBy', bad, `all ${n} served by ${want}: ${seen}`, bad ? `repeat ${bad.index + 1} served by ${servedText(world, bad.servedBy)}${bad.error ? ` (${bad.error})` : ''}, expected one of ${want}` : null);
  }
  if (e.spread) {
    const counts = new Map<string, number>();
    for (const r of reps) if (r.servedBy) counts.set(r.servedBy, (counts.get(r.servedBy) ?? 0) + 1);
    // The pods that should share the load: those servedBy's selectors name (when given), else those that served.
    const eligible = new Set(counts.keys());
    for (const m of e.servedBy ?? []) {
      if (m.kind !== 'selector') continue;
      for (const [key, rt] of world.pods) {
        const labels = rt.pod.metadata.labels ?? {};
        if (Object.entries(m.selector).every(([k, v]) => labels[k] === v)) eligible.add(key);
      }
    }
    const min = e.spread.min;
    const parts = [...eligible].sort().map((k) => `${servedText(world, k)} ${counts.get(k) ?? 0}/${n} (${pct(counts.get(k) ?? 0, n)})`);
    const low = [...eligible].filter((k) => (counts.get(k) ?? 0) < min * n);
    add('spread', undefined, `each pod served at least ${Math.round(min * 100)}%: ${parts.join(', ')}`, low.length ? `expected each pod to serve at least ${Math.round(min * 100)}% of ${n}: ${parts.join(', ')}` : null);
  }
  if (e.sameBackend !== undefined) {
    const servers = new Set(reps.map((r) => r.servedBy ?? 'none'));
    const same = servers.size === 1 && !servers.has('none');
    add('sameBackend', undefined, e.sameBackend ? `all ${n} served by ${servedText(world, reps[0]?.servedBy)}` : `served by ${servers.size} pods`, same === e.sameBackend ? null : `expected ${e.sameBackend ? 'one backend' : 'several backends'}, saw ${[...servers].map((s) => servedText(world, s === 'none' ? undefined : s)).join(', ')}`);
  }
  if (e.clientIP) {
    const ce = e.clientIP;
    const allowed = ce.values.flatMap((v) => addressesOf(world, v));
    const bad = reps.find((r) => {
      const ip = parseIpv4((r.clientSeen ?? '').split(':')[0] ?? '');
      if (ip === null) return true;
      return allowed.includes(ip) === ce.not;
    });
    const want = `${ce.not ? 'not ' : ''}${ce.values.map((v) => (v.kind === 'ip' ? v.ip : formatRef(v.ref))).join(' or ')}`;
    const seen = [...new Set(reps.map((r) => r.clientSeen ?? 'nothing'))].join(', ');
    add('clientIP', bad, `the server saw ${seen} (${want})`, bad ? `expected the server to see a client IP ${want}; repeat ${bad.index + 1}: it saw ${bad.clientSeen ?? `nothing${bad.error ? ` (${bad.error})` : ''}`}` : null);
  }
  if (e.refused !== undefined) {
    const bad = reps.find((r) => (r.refused ?? false) !== e.refused);
    add('refused', bad, e.refused ? `all ${n} refused` : `none of ${n} refused`, bad ? `expected ${e.refused ? 'connection refused' : 'no refusal'}, ${describeRep(bad)}` : null);
  }
  if (e.timeout !== undefined) {
    const bad = reps.find((r) => (r.timeout ?? false) !== e.timeout);
    add('timeout', bad, e.timeout ? `all ${n} timed out` : `none of ${n} timed out`, bad ? `expected ${e.timeout ? 'a timeout' : 'no timeout'}, ${describeRep(bad)}` : null);
  }
  if (e.rcode !== undefined) {
    const bad = reps.find((r) => r.rcode !== e.rcode);
    add('rcode', bad, `all ${n} answered ${e.rcode}`, bad ? `expected ${e.rcode}, repeat ${bad.index + 1} got ${bad.rcode ?? bad.error ?? 'no answer'}` : null);
  }
  if (e.answers) {
    const want = [...e.answers].map((a) => a.toLowerCase()).sort();
    const bad = reps.find((r) => JSON.stringify([...(r.answers ?? [])].map((a) => a.toLowerCase()).sort()) !== JSON.stringify(want));
    add('answers', bad, `answers [${want.join(', ')}]`, bad ? `expected answers [${want.join(', ')}], repeat ${bad.index + 1} got [${(bad.answers ?? []).join(', ')}]${bad.rcode ? ` (${bad.rcode})` : ''}` : null);
  }
  if (e.records) {
    const bad = reps.find((r) =>
      e.records!.some((want) =>
        !(r.records ?? []).some((got) => (want.name === undefined || got.name.toLowerCase() === want.name.toLowerCase()) && (want.ttl === undefined || got.ttl === want.ttl) && (want.type === undefined || got.type === want.type) && (want.data === undefined || got.data.toLowerCase() === want.data.toLowerCase())),
      ),
    );
    const fmt = (rs: { name?: string; ttl?: number; type?: string; data?: string }[]) => rs.map((x) => `${x.name ?? '*'} ${x.ttl ?? '*'} ${x.type ?? '*'} ${x.data ?? '*'}`).join('; ');
    add('records', bad, `records present: ${fmt([...e.records])}`, bad ? `expected records ${fmt([...e.records])}; repeat ${bad.index + 1} got ${fmt(bad.records ?? []) || 'none'}` : null);
  }
  if (e.hops) {
    const want = e.hops.join(' → ');
    const bad = reps.find((r) => (r.hops ?? []).join(' → ') !== want);
    add('hops', bad, `the request visited ${want}`, bad ? `expected the request to visit ${want}; repeat ${bad.index + 1} visited ${(bad.hops ?? []).join(' → ') || 'no node'}` : null);
  }
  if (e.dnat) {
    const d = e.dnat;
    const bad = reps.find((r) => {
      const rw = r.dnat ?? [];
      if (d.none) return rw.length > 0;
      if (rw.length === 0) return true;
      const first = rw[0]!;
      const beforeDst = first.before.split(' > ')[1] ?? '';
      const afterDst = first.after.split(' > ')[1] ?? '';
      return (d.from !== undefined && !addrPortMatches(world, d.from, beforeDst)) || (d.to !== undefined && !addrPortMatches(world, d.to, afterDst));
    });
    const want = d.none ? 'no DNAT' : `DNAT${d.from ? ` from ${addrPortText(d.from)}` : ''}${d.to ? ` to ${addrPortText(d.to)}` : ''}`;
    const seen = (r: RepeatResult) => ((r.dnat ?? []).length ? r.dnat!.map((x) => `${x.node}: ${x.before.split(' > ')[1]} → ${x.after.split(' > ')[1]}`).join('; ') : 'no DNAT');
    add('dnat', bad, `${want}: ${reps[0] ? seen(reps[0]) : ''}`, bad ? `expected ${want}; repeat ${bad.index + 1} saw ${seen(bad)}` : null);
  }
  if (e.maxLatency !== undefined) {
    const lat = (r: RepeatResult) => (r.finishedAt >= 0 ? r.finishedAt - r.startedAt : Infinity);
    const bad = reps.find((r) => lat(r) > e.maxLatency!);
    const worst = Math.max(...reps.map(lat));
    add('maxLatency', bad, `slowest repeat took ${(worst / 1e6).toFixed(3)} ms`, bad ? `expected at most ${(e.maxLatency / 1e6).toFixed(3)} ms; repeat ${bad.index + 1} took ${Number.isFinite(lat(bad)) ? `${(lat(bad) / 1e6).toFixed(3)} ms` : 'forever (unfinished)'}` : null);
  }
  if (notFinished) {
    for (const r of out) if (r.status === 'pass') r.message += ` (note: repeat ${notFinished.index + 1} had not finished when the run stopped)`;
  }
  return out;
}

/** A snapshot of what scenario-wide expectations look at, taken at their `at` time or at the end. */
export interface WideSnapshot {
  endpoints: Map<string, string[]>;
  saves: Map<string, string>;
}

/** Captures the state scenario-wide expectations check (ready endpoints per Service; iptables-save per node). */
export function snapshotWide(world: World): WideSnapshot {
  const endpoints = new Map<string, string[]>();
  for (const s of world.current.endpointSlices) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const key = `${namespaceOf(s.metadata)}/${svc}`;
    const list = endpoints.get(key) ?? [];
    for (const ep of s.endpoints) {
      if (ep.conditions?.ready === false) continue;
      for (const p of s.ports ?? [{ port: undefined }]) list.push(p.port === undefined ? ep.addresses[0]! : `${ep.addresses[0]}:${p.port}`);
    }
    endpoints.set(key, list);
  }
  const saves = new Map<string, string>();
  for (const n of world.cluster.nodes.values()) saves.set(n.name, n.netfilter.save({ generatedOn: 'simulation' }));
  return { endpoints, saves };
}

function checkWide(world: World, x: ScenarioExpectation, snap: WideSnapshot, i: number): ExpectationResult {
  if (x.kind === 'endpoints') {
    const ref = x.endpoints.service;
    const key = `${ref.namespace ?? 'default'}/${ref.name}`;
    const have = snap.endpoints.get(key) ?? [];
    const name = x.name ?? `endpoints of ${key}`;
    const wanted = x.endpoints.addresses;
    const missing = wanted.filter((ap) => !have.some((h) => addrPortMatches(world, ap, h)));
    const extra = have.filter((h) => !wanted.some((ap) => addrPortMatches(world, ap, h)));
    const ok = missing.length === 0 && extra.length === 0;
    return {
      name,
      status: ok ? 'pass' : 'fail',
      message: ok
        ? `${key} has ready endpoints [${have.join(', ')}]`
        : `expected ${key} to have ready endpoints [${wanted.map(addrPortText).join(', ')}]; it has [${have.join(', ')}]${missing.length ? `; missing ${missing.map(addrPortText).join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
      event: null,
    };
  }
  const r = x.rule;
  const name = x.name ?? `rule on ${r.node} ${r.table}: ${r.matches}`;
  const save = snap.saves.get(r.node);
  if (save === undefined) return { name, status: 'fail', message: `no node named ${r.node}`, event: null };
  let re: RegExp;
  try {
    re = new RegExp(r.matches);
  } catch (err) {
    return { name, status: 'fail', message: `not a regular expression: ${r.matches} (${err instanceof Error ? err.message : String(err)})`, event: null };
  }
  const lines = tableLines(save, r.table);
  const hit = lines.find((l) => re.test(l));
  void i;
  return hit
    ? { name, status: 'pass', message: `${r.node} ${r.table}: ${hit}`, event: null }
    : { name, status: 'fail', message: `no rule in ${r.node}'s ${r.table} table matches /${r.matches}/ (${lines.length} rules)`, event: null };
}

function tableLines(save: string, table: string): string[] {
  const out: string[] = [];
  let inTable = false;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) inTable = line === `*${table}`;
    else if (inTable && line.startsWith('-A ')) out.push(line);
  }
  return out;
}

/** Evaluates every expectation of the scenario. */
export function evaluateExpectations(world: World, traffic: TrafficResult[], facts: Map<number, FlowFacts>, snapshots: Map<number, WideSnapshot>, endSnapshot: WideSnapshot): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  world.scenario.spec.traffic.forEach((item, i) => out.push(...checkTraffic(world, item, traffic[i]!, facts)));
  world.scenario.spec.expect.forEach((x, i) => out.push(checkWide(world, x, snapshots.get(i) ?? endSnapshot, i)));
  return out;
}
