/**
 * The engine facade: what the worker host and the CLI call. A `Session` holds one loaded
 * scenario; `run()` is a generator that runs it slice by slice (so a worker can take a cancel
 * message between slices); afterwards the session answers questions about the trace in the
 * worker contract's shapes (src/api/engine-api.ts): rows produced on demand per batch, one
 * event in full (bytes, the bytes before a NAT rewrite, its flow), display filters, the
 * topology, per-node iptables-save, the state as of any event, pcapng and JSON exports.
 *
 * Nothing is precomputed per event: a million-event trace costs its recorder and nothing more.
 * The only caches are where each flow starts and ends (built on the first `eventInfo`), the
 * last flow's event list and the running `stateAt` accumulator (stepping forward is incremental).
 */
import type {
  EventDetailDto,
  EventInfo,
  ExpectationDto,
  ExternalDto,
  FilterReply,
  LoadReply,
  NodeDto,
  PodDto,
  ProblemDto,
  ProgressDto,
  RepeatDto,
  RunReply,
  ServiceDto,
  StateAtDto,
  TopologyDto,
  TraceRow,
  TrafficDto,
} from '../api/engine-api.ts';
import { loadScenario, formatProblem, type LoadResult } from './scenario/parse.ts';
import { nothingKept, runSteps, type RunOutcome } from './scenario/run.ts';
import { buildWorld, readyEndpoints, type World } from './scenario/world.ts';
import type { RepeatResult } from './scenario/traffic.ts';
import type { ScenarioProblem } from './scenario/model.ts';
import { namespaceOf, podReadyFromStatus, type Pod } from './k8s/model/index.ts';
import { TraceRecorder, type TraceEvent } from './trace/recorder.ts';
import { LinkLayer, type TraceDetail } from './trace/events.ts';
import { TraceHasher, traceHash, tracePcapng } from './trace/export.ts';
import { detailText, linkTypeName } from './trace/summary.ts';
import { compileFilter, filterTrace } from './trace/filter.ts';
import { dissectPacket } from './wire/describe.ts';
import { formatIpv4, formatMac, readMac, readU16, readU32 } from './wire/addr.ts';
import { toHex } from './wire/bytes.ts';
import { buildNatDemo, type NatDemoLog } from './workloads/nat-demo.ts';

// ---------------------------------------------------------------------------------------------
// Rows

/** The Source/Destination columns read straight from the bytes: IPv4 addresses, else MACs. */
function addressColumns(b: Uint8Array, link: LinkLayer): [string, string] {
  let ip = -1;
  if (link === LinkLayer.Ethernet) {
    if (b.length < 14) return ['', ''];
    const type = (b[12]! << 8) | b[13]!;
    if (type === 0x0800) ip = 14;
    else {
      // ARP and anything else: the Ethernet addresses, as Wireshark's columns show them.
      const dst = readMac(b, 0);
      return [formatMac(readMac(b, 6)), dst === 0xffffffffffff ? 'Broadcast' : formatMac(dst)];
    }
  } else if (link === LinkLayer.Ppp) {
    let p = b.length >= 2 && b[0] === 0xff && b[1] === 0x03 ? 2 : 0;
    if (b.length >= p + 1 && b[p]! & 1) p += 1;
    else p += 2;
    ip = p;
  } else ip = 0;
  if (b.length < ip + 20 || b[ip]! >> 4 !== 4) return ['', ''];
  return [formatIpv4(readU32(b, ip + 12)), formatIpv4(readU32(b, ip + 16))];
}

/** The packet-list row of one event: Wireshark-like columns from the wire decoders. */
export function traceRow(ev: TraceEvent): TraceRow {
  const detail = detailText(ev);
  let protocol = '';
  let src = '';
  let dst = '';
  let summary = detail;
  if (ev.bytes && ev.link !== null) {
    const d = dissectPacket(ev.bytes, linkTypeName(ev.link));
    protocol = d.protocol;
    summary = d.summary;
    [src, dst] = addressColumns(ev.bytes, ev.link);
  }
  return { index: ev.index, time: ev.time, kind: ev.kind, host: ev.host, iface: ev.iface, uid: ev.uid, flow: ev.detail?.flow ?? 0, protocol, src, dst, summary, detail };
}

function detailDto(d: TraceDetail): EventDetailDto {
  const out: EventDetailDto = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === undefined) continue;
    (out as Record<string, unknown>)[k] = Array.isArray(v) ? [...(v as string[])] : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load and run replies

function problemDto(p: ScenarioProblem): ProblemDto {
  const out: ProblemDto = { file: p.file, line: p.line, column: p.column, docIndex: p.docIndex, path: p.path, message: p.message, severity: p.severity, text: formatProblem(p) };
  if (p.object !== undefined) out.object = p.object;
  return out;
}

function repeatDto(r: RepeatResult): RepeatDto {
  const o: RepeatDto = { ok: r.ok, flow: r.flow, source: r.source, startedAt: r.startedAt, finishedAt: r.finishedAt };
  if (r.status !== undefined) o.status = r.status;
  if (r.refused) o.refused = true;
  if (r.timeout) o.timeout = true;
  if (r.error) o.error = r.error;
  if (r.rcode) o.rcode = r.rcode;
  if (r.answers) o.answers = [...r.answers];
  if (r.local) o.local = r.local;
  if (r.remote) o.remote = r.remote;
  if (r.servedBy) o.servedBy = r.servedBy;
  if (r.serverLocal) o.serverLocal = r.serverLocal;
  if (r.clientSeen) o.clientSeen = r.clientSeen;
  if (r.conntrack) o.conntrack = r.conntrack.map((c) => ({ ...c }));
  if (r.dnat) o.dnat = r.dnat.map((d) => ({ node: d.node, before: d.before, after: d.after }));
  if (r.hops) o.hops = [...r.hops];
  return o;
}

/** The reply of a run that did not happen (an invalid file). */
export function emptyRunReply(stopMessage: string): RunReply {
  return { valid: false, passed: false, stop: 'done', stopMessage, events: 0, traceEvents: 0, simulatedNs: 0, traceHash: '', expectations: [], traffic: [], timeline: [], traceKept: nothingKept() };
}

function runReply(o: RunOutcome, hash: string): RunReply {
  const w = o.world;
  if (!w) return emptyRunReply(o.errors.length ? `the file has ${o.errors.length} error(s): ${formatProblem(o.errors[0]!)}` : 'nothing ran');
  const expectations: ExpectationDto[] = o.expectations.map((e) => ({ name: e.name, status: e.status, message: e.message, event: e.event }));
  const traffic: TrafficDto[] = o.traffic.map((t) => ({ name: t.name, kind: t.kind, from: t.from, target: t.target, repeats: t.repeats.map(repeatDto) }));
  return {
    valid: o.valid,
    passed: o.passed,
    stop: o.stop,
    stopMessage: o.stopMessage,
    events: w.sim.eventsRun,
    traceEvents: w.trace.length,
    simulatedNs: w.sim.now,
    traceHash: hash,
    expectations,
    traffic,
    timeline: w.timeline.map((t) => ({ time: t.time, text: t.text })),
    traceKept: { ...o.traceKept },
  };
}

// ---------------------------------------------------------------------------------------------
// State as of an event

/** What `stateAt` accumulates while it walks the trace forward. */
interface StateAcc {
  /** The next event to fold in. */
  next: number;
  conntrack: Map<string, string[]>;
  neighbors: Map<string, Map<string, string>>;
  /** "host\0ip" → the device a who-has went out on (the host learns the answer there). */
  asked: Map<string, string>;
  /** uid of an ARP reply a host is about to send → that host and device (it learnt the asker). */
  replying: Map<number, { host: string; iface: string }>;
  dns: { time: number; text: string }[];
}

function newAcc(): StateAcc {
  return { next: 0, conntrack: new Map(), neighbors: new Map(), asked: new Map(), replying: new Map(), dns: [] };
}

const WHO_HAS = /^ARP who-has (\d+\.\d+\.\d+\.\d+) tell /;

function learn(acc: StateAcc, host: string, ip: number, mac: number, iface: string): void {
  let m = acc.neighbors.get(host);
  if (!m) acc.neighbors.set(host, (m = new Map()));
  const ipText = formatIpv4(ip);
  m.set(ipText, `${ipText} dev ${iface} lladdr ${formatMac(mac)} REACHABLE`);
}

/** Folds one event into the accumulated state (conntrack entries, ARP learning, DNS answers). */
function foldState(acc: StateAcc, ev: TraceEvent): void {
  const d = ev.detail;
  switch (ev.kind) {
    case 'conntrack': {
      if (!d?.orig) return;
      let list = acc.conntrack.get(ev.host);
      if (!list) acc.conntrack.set(ev.host, (list = []));
      list.push(`${d.orig} | ${d.reply ?? ''}`);
      return;
    }
    case 'l2': {
      const text = d?.text ?? '';
      const m = WHO_HAS.exec(text);
      if (m) acc.asked.set(`${ev.host}\u0000${m[1]}`, ev.iface);
      else if (text.startsWith('ARP ') && text.includes(' is-at ')) acc.replying.set(ev.uid, { host: ev.host, iface: ev.iface });
      return;
    }
    case 'app': {
      const text = d?.text ?? '';
      if (text.startsWith('dns-server ') && text.includes(' → ')) acc.dns.push({ time: ev.time, text });
      return;
    }
    case 'sent':
    case 'received': {
      const b = ev.bytes;
      if (!b || ev.link !== LinkLayer.Ethernet || b.length < 42 || b[12] !== 0x08 || b[13] !== 0x06 || readU16(b, 20) !== 2) return;
      // An ARP reply (RFC 826): sender = the answer, target = the asker.
      if (ev.kind === 'received') {
        const key = `${ev.host}\u0000${formatIpv4(readU32(b, 28))}`;
        const dev = acc.asked.get(key);
        if (dev === undefined) return; // a reply passing through a bridge, not one this host asked for
        acc.asked.delete(key);
        learn(acc, ev.host, readU32(b, 28), readMac(b, 22), dev);
      } else {
        const r = acc.replying.get(ev.uid);
        if (!r || r.host !== ev.host) return;
        acc.replying.delete(ev.uid);
        learn(acc, ev.host, readU32(b, 38), readMac(b, 32), r.iface);
      }
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The session

/** The answer to `Session.load`: the session (null when the file has errors) and the reply for the page. */
export interface SessionLoad {
  session: Session | null;
  reply: LoadReply;
}

/** One loaded scenario and, after `run()`, its trace and the questions the UI asks about it. */
export class Session {
  private outcome: RunOutcome | null = null;
  private hash = '';
  private reply: RunReply | null = null;
  private flowIndex: Map<number, Uint32Array> | null = null;
  private acc: StateAcc | null = null;
  /** The trace of the run in progress (rows can be read between slices), or null. */
  private live: TraceRecorder | null = null;

  private constructor(
    /** The loaded file. */
    readonly loaded: LoadResult,
    /** The world built at load time (time 0): topology and rules before any run. */
    private readonly initial: World,
  ) {}

  /** Parses, validates and builds (but does not run) a scenario; never throws for bad input. */
  static load(text: string, fileName: string): SessionLoad {
    let loaded: LoadResult;
    let built: ReturnType<typeof buildWorld>;
    try {
      loaded = loadScenario(text, fileName);
      // Building the world also runs the control plane, which finds the errors the file's
      // schema cannot (selectors, port names, address pools): the page sees them at load.
      built = buildWorld(loaded);
    } catch (e) {
      const p: ScenarioProblem = { file: fileName, line: 1, column: 1, docIndex: -1, path: '', message: `internal error while loading: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' };
      return { session: null, reply: { ok: false, name: '', description: '', errors: [problemDto(p)], warnings: [] } };
    }
    const meta = loaded.scenario?.metadata;
    const reply: LoadReply = {
      ok: built.world !== undefined && built.errors.length === 0,
      name: meta?.name ?? '',
      description: meta?.description ?? '',
      errors: built.errors.map(problemDto),
      warnings: built.warnings.map(problemDto),
    };
    return { session: reply.ok ? new Session(loaded, built.world!) : null, reply };
  }

  /**
   * Runs the scenario from the start (a second call runs it again). Yields progress between
   * slices of `progressEvery` simulated events; `next(true)` cancels (the trace so far is kept).
   */
  *run(progressEvery?: number): Generator<ProgressDto, RunReply, boolean | undefined> {
    this.outcome = null;
    this.reply = null;
    this.hash = '';
    this.flowIndex = null;
    this.acc = null;
    this.live = null;
    const steps = runSteps(this.loaded, progressEvery);
    let hasher: TraceHasher | null = null;
    let n = steps.next(false);
    while (!n.done) {
      const p = n.value;
      this.live = p.trace;
      // The hash follows the trace (one recorder per run) slice by slice, so a run's end (or a
      // Cancel) does not wait for the whole trace to be hashed at once.
      hasher ??= new TraceHasher(p.trace);
      hasher.feed();
      const cancel = yield { events: p.events, simulatedNs: p.simulatedNs, traceEvents: p.traceEvents };
      n = steps.next(cancel === true);
    }
    this.live = null;
    const o = n.value;
    this.outcome = o;
    this.hash = o.world ? (hasher ?? new TraceHasher(o.world.trace)).digest() : '';
    this.reply = runReply(o, this.hash);
    return this.reply;
  }

  /** Runs to the end without pausing (CLI, tests). */
  runToEnd(progressEvery?: number): RunReply {
    const g = this.run(progressEvery);
    for (;;) {
      const n = g.next(false);
      if (n.done) return n.value;
    }
  }

  /** The scenario's name. */
  get name(): string {
    return this.loaded.scenario?.metadata.name ?? '';
  }

  /** The last run's reply, or null before a run ends. */
  get lastRun(): RunReply | null {
    return this.reply;
  }

  /** The world of the last run, or null before a run ends. */
  get world(): World | null {
    return this.outcome?.world ?? null;
  }

  /** The last run's full outcome (traffic results with bodies, expectation results), or null. */
  get runOutcome(): RunOutcome | null {
    return this.outcome;
  }

  /** The last run's trace, or null before a run ends. */
  get trace(): TraceRecorder | null {
    return this.outcome?.world?.trace ?? null;
  }

  /** Number of trace events (0 before a run). */
  get length(): number {
    return this.trace?.length ?? 0;
  }

  /** SHA-256 of the trace's canonical encoding ('' before a run): equal to `kubewire run --json`'s. */
  get traceHash(): string {
    return this.hash;
  }

  /** Row `i` of the packet list. Precondition: 0 <= i < length. */
  row(i: number): TraceRow {
    const t = this.trace;
    if (!t || !(i >= 0 && i < t.length)) throw new RangeError(`no trace event ${i} (the trace has ${t?.length ?? 0})`);
    return traceRow(t.event(i));
  }

  /**
   * Rows [from, from+count), clipped to the trace (empty before a run). Between slices of a run
   * this reads the trace recorded so far, so a viewer can follow the run as it goes.
   */
  rows(from: number, count: number): TraceRow[] {
    const t = this.trace ?? this.live;
    if (!t) return [];
    const start = Math.max(0, Math.floor(from) || 0);
    const end = Math.min(t.length, start + Math.max(0, Math.floor(count) || 0));
    const out: TraceRow[] = [];
    for (let i = start; i < end; i++) out.push(traceRow(t.event(i)));
    return out;
  }

  /** Everything about one event: copies of its bytes (and, for NAT, of the packet just before), its detail and its flow's events. */
  eventInfo(i: number): EventInfo {
    const t = this.trace;
    if (!t || !(i >= 0 && i < t.length)) throw new RangeError(`no trace event ${i} (the trace has ${t?.length ?? 0})`);
    const ev = t.event(i);
    let beforeBytes: Uint8Array | null = null;
    let beforeLinkType: EventInfo['beforeLinkType'] = null;
    if (ev.kind === 'nat' && ev.uid !== 0) {
      // The same packet's previous recorded state: the frame it arrived in, or an earlier rewrite.
      for (let j = i - 1; j >= 0; j--) {
        const p = t.event(j);
        if (p.uid !== ev.uid || !p.bytes || p.link === null) continue;
        beforeBytes = p.bytes.slice();
        beforeLinkType = linkTypeName(p.link);
        break;
      }
    }
    const flow = this.flowEvents(ev);
    return {
      row: traceRow(ev),
      bytes: ev.bytes ? ev.bytes.slice() : null,
      linkType: ev.bytes && ev.link !== null ? linkTypeName(ev.link) : null,
      detail: ev.detail ? detailDto(ev.detail) : null,
      beforeBytes,
      beforeLinkType,
      flowEvents: flow.events,
      flowEventsTotal: flow.total,
    };
  }

  /** The details of several events (null where an event has none), for a view that explains a group of them. */
  eventDetails(indices: readonly number[]): (EventDetailDto | null)[] {
    const t = this.trace;
    if (!t) throw new RangeError('no trace yet');
    return indices.map((i) => {
      if (!(Number.isInteger(i) && i >= 0 && i < t.length)) throw new RangeError(`no trace event ${i} (the trace has ${t.length})`);
      const d = t.event(i).detail;
      return d ? detailDto(d) : null;
    });
  }

  /**
   * The events of the event's flow (none for events outside any traffic repeat): at most
   * FLOW_WINDOW of them around the event, and how many the flow has. The first call after a run
   * indexes every flow's events in one pass (a ping flood is one flow of a million events), so
   * stepping costs a binary search, not a scan of the trace.
   */
  private flowEvents(ev: TraceEvent): { events: number[]; total: number } {
    const flow = ev.detail?.flow ?? 0;
    if (flow === 0) return { events: [], total: 0 };
    const all = (this.flowIndex ??= indexFlows(this.trace!)).get(flow);
    if (!all) return { events: [ev.index], total: 1 };
    if (all.length <= FLOW_WINDOW) return { events: Array.from(all), total: all.length };
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]! < ev.index) lo = mid + 1;
      else hi = mid;
    }
    const from = Math.max(0, Math.min(lo - FLOW_WINDOW / 2, all.length - FLOW_WINDOW));
    return { events: Array.from(all.subarray(from, from + FLOW_WINDOW)), total: all.length };
  }

  /** Applies a display filter (trace/filter.ts); a bad filter gives its error and no indices. */
  filter(expr: string): FilterReply {
    const c = compileFilter(expr);
    if (!c.ok) return { ok: false, error: c.error, indices: new Uint32Array(0) };
    const t = this.trace;
    return { ok: true, indices: t ? filterTrace(t, c.filter) : new Uint32Array(0) };
  }

  /** The world the UI describes: the last run's (state at its end), else the one built at load. */
  private get shown(): World {
    return this.outcome?.world ?? this.initial;
  }

  /** Nodes, pods, Services and hosts outside the cluster. */
  topology(): TopologyDto {
    const w = this.shown;
    const state = w.current;
    const clientNames = new Set(w.scenario.spec.clients.map((c) => c.name));
    const podsOf = (node: string): PodDto[] =>
      state.pods
        .filter((p) => p.spec.nodeName === node && !p.spec.hostNetwork)
        .map((p) => podDto(w, p));
    const nodes: NodeDto[] = [...w.cluster.nodes.values()].map((n) => ({
      name: n.name,
      ip: formatIpv4(n.ip),
      podCIDR: n.podSubnet.toString(),
      bridgeIp: formatIpv4(n.podSubnet.at(1)),
      up: n.host.up,
      pods: podsOf(n.name),
    }));
    const lastEndpoints = new Map((w.endpointHistory.at(-1)?.endpoints ?? readyEndpoints(state)).map((e) => [e.service, e.addresses]));
    const services: ServiceDto[] = state.services.map((s) => {
      const key = `${namespaceOf(s.metadata)}/${s.metadata.name}`;
      return {
        key,
        type: s.spec.type ?? 'ClusterIP',
        clusterIP: s.spec.clusterIP ?? '',
        loadBalancerIPs: (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== ''),
        ports: (s.spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, targetPort: String(p.targetPort ?? p.port), nodePort: p.nodePort ?? 0, protocol: p.protocol ?? 'TCP' })),
        selector: { ...(s.spec.selector ?? {}) },
        endpoints: [...(lastEndpoints.get(key) ?? [])],
      };
    });
    const externals: ExternalDto[] = [{ name: w.cluster.switchHost.name, ip: formatIpv4(w.cluster.gateway), role: 'gateway' }];
    for (const e of w.cluster.externals.values()) {
      const role: ExternalDto['role'] = e === w.upstream ? 'dns' : clientNames.has(e.name) ? 'client' : 'load-balancer';
      externals.push({ name: e.name, ip: formatIpv4(e.ip), role });
    }
    return { nodes, services, externals, nodeCIDR: state.config.nodeCIDR, podCIDR: state.config.podCIDR, serviceCIDR: state.config.serviceCIDR };
  }

  /** A node's ruleset as `iptables-save` prints it (as of the end of the last run, else as built). */
  iptablesSave(node: string): string {
    const w = this.shown;
    const n = w.node(node);
    if (!n) throw new Error(`no node named "${node}" (nodes: ${[...w.cluster.nodes.keys()].join(', ')})`);
    return n.netfilter.save();
  }

  /**
   * The state as of event `i` (inclusive), rebuilt from the trace: conntrack entries created,
   * neighbours learnt from ARP, DNS answers sent, and the endpoints kube-proxy had then.
   * Walking forward continues from the previous answer; stepping back starts over.
   */
  stateAt(i: number): StateAtDto {
    const w = this.world;
    const t = this.trace;
    if (!w || !t || t.length === 0) return { time: 0, conntrack: [], neighbors: [], endpoints: [], dns: [] };
    const last = Math.min(Math.max(0, Math.floor(i) || 0), t.length - 1);
    if (!this.acc || this.acc.next > last + 1) this.acc = newAcc();
    const acc = this.acc;
    for (; acc.next <= last; acc.next++) foldState(acc, t.event(acc.next));
    const time = t.event(last).time;
    let snap = w.endpointHistory[0];
    for (const h of w.endpointHistory) if (h.time <= time) snap = h;
    return {
      time,
      conntrack: [...acc.conntrack].map(([host, entries]) => ({ host, entries: [...entries] })),
      neighbors: [...acc.neighbors].map(([host, m]) => ({ host, entries: [...m.values()] })),
      endpoints: (snap?.endpoints ?? []).map((e) => ({ service: e.service, addresses: [...e.addresses] })),
      dns: acc.dns.map((d) => ({ ...d })),
    };
  }

  /** The trace as pcapng (empty before a run). */
  pcapng(): Uint8Array {
    const t = this.trace;
    return t ? tracePcapng(t) : new Uint8Array(0);
  }

  /** The trace as JSON lines, one object per event: index, time, kind, host, iface, uid, flow, link, detail, bytes (hex). */
  *traceJsonLines(from = 0, to = Number.MAX_SAFE_INTEGER): IterableIterator<string> {
    const t = this.trace;
    if (!t) return;
    for (const ev of t.events(Math.max(0, from), Math.min(to, t.length))) {
      yield JSON.stringify({
        index: ev.index,
        time: ev.time,
        kind: ev.kind,
        host: ev.host,
        iface: ev.iface,
        uid: ev.uid,
        flow: ev.detail?.flow ?? 0,
        link: ev.bytes && ev.link !== null ? linkTypeName(ev.link) : null,
        detail: ev.detail,
        bytes: ev.bytes ? toHex(ev.bytes) : null,
      });
    }
  }

  /** The whole trace as JSON lines (newline-separated objects; '' before a run). Throws a worded Error when it would exceed the largest string the JS engine can hold. */
  traceJson(): string {
    let out = '';
    try {
      for (const line of this.traceJsonLines()) out += `${line}\n`;
    } catch (e) {
      if (e instanceof RangeError) throw new Error(`the trace (${this.length} events) is too large for one JSON text; export pcapng, or take it in ranges with traceJsonLines`);
      throw e;
    }
    return out;
  }
}

function podDto(w: World, p: Pod): PodDto {
  const ns = namespaceOf(p.metadata);
  const key = `${ns}/${p.metadata.name}`;
  const rt = w.pods.get(key);
  return {
    key,
    namespace: ns,
    name: p.metadata.name,
    ip: p.status?.podIP ?? '',
    node: p.spec.nodeName ?? '',
    ready: podReadyFromStatus(p),
    labels: { ...(p.metadata.labels ?? {}) },
    containers: p.spec.containers.map((c) => ({
      name: c.name,
      ports: (c.ports ?? []).map((x) => (x.name ? { port: x.containerPort, protocol: x.protocol ?? 'TCP', name: x.name } : { port: x.containerPort, protocol: x.protocol ?? 'TCP' })),
    })),
    host: rt?.net.host.name ?? (ns === 'default' ? p.metadata.name : key),
  };
}

// ---------------------------------------------------------------------------------------------
// The built-in NAT demo (kept for the e2e check that Node and the browser hash one trace alike)

/** A finished NAT-demo run. */
export interface DemoRun {
  summary: { name: string; events: number; simulatedNs: number; traceHash: string; packetHops: number };
  trace: TraceRecorder;
  log: NatDemoLog;
}

/** Runs the built-in NAT demo ("nat-demo"). */
export function runDemo(name: string, seed = 1): DemoRun {
  if (name !== 'nat-demo') throw new Error(`no built-in demo named "${name}" (have: nat-demo)`);
  const trace = new TraceRecorder();
  const demo = buildNatDemo({ seed, tracer: trace });
  demo.sim.run();
  return { summary: { name, events: trace.length, simulatedNs: demo.sim.now, traceHash: traceHash(trace), packetHops: demo.net.packetHops }, trace, log: demo.log };
}

/** Events of a flow sent with one event's details (the flow ladder shows a window this wide). */
const FLOW_WINDOW = 600;

/** Every flow's event numbers, in order: two passes over the trace (count, then fill). */
function indexFlows(t: TraceRecorder): Map<number, Uint32Array> {
  const ev: TraceEvent = { index: 0, time: 0, kind: 'sent', host: '', iface: '', uid: 0, link: null, bytes: null, detail: null };
  const counts = new Map<number, number>();
  for (let j = 0; j < t.length; j++) {
    const f = t.eventInto(j, ev).detail?.flow;
    if (f) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  const out = new Map<number, Uint32Array>();
  const fill = new Map<number, number>();
  for (const [f, n] of counts) {
    out.set(f, new Uint32Array(n));
    fill.set(f, 0);
  }
  for (let j = 0; j < t.length; j++) {
    const f = t.eventInto(j, ev).detail?.flow;
    if (!f) continue;
    const k = fill.get(f)!;
    out.get(f)![k] = j;
    fill.set(f, k + 1);
  }
  return out;
}
