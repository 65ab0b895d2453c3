/**
 * The worker contract: what the page may ask the engine worker (comlink), and the serialisable
 * shapes it gets back. Only types live here (and the msgpack codec beside it), so the main
 * bundle never pulls in engine code. Large lists cross as msgpack bytes (transferred).
 */

/** A problem in a scenario file, positioned (1-based line and column). */
export interface ProblemDto {
  file: string;
  line: number;
  column: number;
  docIndex: number;
  object?: string;
  path: string;
  message: string;
  severity: 'error' | 'warning';
  /** The problem as the CLI prints it: `file:line:col Kind ns/name path: message`. */
  text: string;
}

/** The answer to `load`. */
export interface LoadReply {
  ok: boolean;
  name: string;
  description: string;
  errors: ProblemDto[];
  warnings: ProblemDto[];
}

/** Progress while the worker runs (also the answer's final figures). */
export interface ProgressDto {
  events: number;
  simulatedNs: number;
  traceEvents: number;
}

/** One expectation's result. `event` is the trace event that decided it (for "jump to"). */
export interface ExpectationDto {
  name: string;
  status: 'pass' | 'fail';
  message: string;
  event: number | null;
}

/** One repeat of a traffic item, as `kubewire run --json` prints it. */
export interface RepeatDto {
  ok: boolean;
  flow: number;
  source: string;
  status?: number;
  refused?: boolean;
  timeout?: boolean;
  error?: string;
  rcode?: string;
  answers?: string[];
  local?: string;
  remote?: string;
  servedBy?: string;
  serverLocal?: string;
  clientSeen?: string;
  conntrack?: { node: string; orig: string; reply: string }[];
  dnat?: { node: string; before: string; after: string }[];
  hops?: string[];
  startedAt: number;
  finishedAt: number;
}

/** A traffic item and its repeats. */
export interface TrafficDto {
  name: string;
  kind: string;
  from: string;
  target: string;
  repeats: RepeatDto[];
}

/** The answer to `run`. */
export interface RunReply {
  /** False when the file is invalid (nothing ran); see `load`'s errors. */
  valid: boolean;
  passed: boolean;
  stop: 'done' | 'max-events' | 'max-time' | 'cancelled';
  stopMessage: string;
  events: number;
  /** Events kept in the trace (fewer than offered when it was sampled: see `traceKept`). */
  traceEvents: number;
  simulatedNs: number;
  /** SHA-256 (hex) of the trace's canonical encoding: equal in Node and the browser for one file and seed. */
  traceHash: string;
  expectations: ExpectationDto[];
  traffic: TrafficDto[];
  timeline: { time: number; text: string }[];
  /** How much of the trace was kept: all of it, or a sample past the memory budget (and the words saying so). */
  traceKept: {
    complete: boolean;
    eventsOffered: number;
    eventsKept: number;
    /** Bytes the trace recorder allocated (columns, packet copies, details). */
    bytes: number;
    budgetBytes: number;
    bytesPerEvent: number;
    /** The first event index after which events may be missing, or null when none are. */
    sampledFrom: number | null;
    /** The last sampling rate: 1 packet in this many (1: all; 0: nothing more was kept at the end). */
    keepOneIn: number;
    /** '' when complete. */
    message: string;
  };
}

/** A traffic item without its repeats, with how many there were and how many succeeded. */
export interface TrafficItemDto extends Omit<TrafficDto, 'repeats'> {
  ok: number;
  total: number;
}

/**
 * `run`'s answer as it crosses from the worker to the page (api/codec.ts packs and unpacks it).
 * A traffic item has one record per repeat, with its conntrack entries and rewrites: 23 MB for a
 * 20,000-connection item, and the page that received it as objects spent 75 ms and a heap of
 * garbage on it. So the repeats travel as transferred msgpack, decoded only when read.
 */
export interface RunReplyPacked extends Omit<RunReply, 'traffic'> {
  traffic: TrafficItemDto[];
  /** msgpack of each item's repeats (RepeatDto[][]), in item order. */
  repeatsPacked: Uint8Array;
}

/** One trace event as the packet list shows it. */
export interface TraceRow {
  /** 0-based event number. */
  index: number;
  /** Simulated time, ns. */
  time: number;
  /** sent | received | netfilter | nat | conntrack | route | delivered | drop | l2 | app */
  kind: string;
  host: string;
  iface: string;
  /** The packet's id (kept across hops and rewrites); 0 for events without a packet. */
  uid: number;
  /** The traffic repeat the event belongs to (0: none). */
  flow: number;
  /** Wireshark-like columns (empty for events without bytes). */
  protocol: string;
  src: string;
  dst: string;
  /** tcpdump-like summary of the packet, or the detail's words. */
  summary: string;
  /** Rule, rewrite, conntrack entry, route or drop reason in words. */
  detail: string;
}

/** A batch of rows, msgpack-encoded across the worker boundary. */
export interface TraceBatch {
  seq: number;
  rows: TraceRow[];
}

/** Structured detail of an event (the engine's TraceDetail, JSON-safe). */
export interface EventDetailDto {
  hook?: string;
  table?: string;
  chain?: string;
  rule?: string;
  ruleIndex?: number;
  verdict?: string;
  rulesEvaluated?: number;
  path?: string[];
  before?: string;
  after?: string;
  manip?: string;
  orig?: string;
  reply?: string;
  state?: string;
  route?: string;
  reason?: string;
  text?: string;
  flow?: number;
}

/** Everything about one event: its row, bytes (decode them with engine/wire's describePacket) and detail. */
export interface EventInfo {
  row: TraceRow;
  /** The packet as it was at this event; null for events without bytes. */
  bytes: Uint8Array | null;
  linkType: 'ethernet' | 'ppp' | 'ipv4' | null;
  detail: EventDetailDto | null;
  /** For a NAT event: the same packet just before the rewrite (to show before → after). */
  beforeBytes: Uint8Array | null;
  beforeLinkType: 'ethernet' | 'ppp' | 'ipv4' | null;
  /** Events of the same flow (for the flow ladder), in order. */
  flowEvents: number[];
  /** How many events the flow has (flowEvents is a window of at most 600 around this event). */
  flowEventsTotal: number;
}

/** A container and its declared ports. */
export interface ContainerDto {
  name: string;
  ports: { port: number; protocol: string; name?: string }[];
}

/** A pod in the topology view. */
export interface PodDto {
  key: string;
  namespace: string;
  name: string;
  ip: string;
  node: string;
  ready: boolean;
  labels: Record<string, string>;
  containers: ContainerDto[];
  /** The host name events of this pod carry. */
  host: string;
}

/** A node in the topology view. */
export interface NodeDto {
  name: string;
  ip: string;
  podCIDR: string;
  bridgeIp: string;
  up: boolean;
  pods: PodDto[];
}

/** A Service in the topology view. */
export interface ServiceDto {
  key: string;
  type: string;
  clusterIP: string;
  loadBalancerIPs: string[];
  ports: { name: string; port: number; targetPort: string; nodePort: number; protocol: string }[];
  selector: Record<string, string>;
  /** Ready endpoint addresses "ip:port". */
  endpoints: string[];
}

/** Hosts outside the cluster (clients, the upstream resolver, the cloud LB). */
export interface ExternalDto {
  name: string;
  ip: string;
  role: 'client' | 'dns' | 'load-balancer' | 'gateway';
}

/** The cluster as built (after the run, with the state at its end). */
export interface TopologyDto {
  nodes: NodeDto[];
  services: ServiceDto[];
  externals: ExternalDto[];
  nodeCIDR: string;
  podCIDR: string;
  serviceCIDR: string;
}

/** State as of one event (stepping back shows the earlier state). */
export interface StateAtDto {
  time: number;
  /** conntrack entries created so far, per host ("orig | reply"). */
  conntrack: { host: string; entries: string[] }[];
  /** Neighbour (ARP) entries learnt so far, per host. */
  neighbors: { host: string; entries: string[] }[];
  /** Ready endpoints per Service as kube-proxy had them at that time. */
  endpoints: { service: string; addresses: string[] }[];
  /** DNS answers sent so far. */
  dns: { time: number; text: string }[];
}

/** The result of a display filter: matching event numbers, or why the filter is wrong. */
export interface FilterReply {
  ok: boolean;
  error?: string;
  /** Matching event indices (msgpack-free: a transferred Uint32Array). */
  indices: Uint32Array;
}

/** The worker's RPC surface. */
export interface EngineApi {
  /** Parses and validates a scenario; nothing runs yet. */
  load(text: string, fileName: string): Promise<LoadReply>;
  /** Runs the loaded scenario, reporting progress; resolves when it ends (or is cancelled). */
  run(onProgress?: (p: ProgressDto) => void): Promise<RunReplyPacked>;
  /** Asks a running `run` to stop at its next slice; the trace so far is kept. */
  cancel(): Promise<void>;
  /** Rows [from, from+count) of the trace, msgpack-encoded TraceBatch: the last run's, or during a run the events recorded so far (they never change). */
  traceBatch(from: number, count: number): Promise<Uint8Array>;
  /** One event with its bytes and detail. */
  event(index: number): Promise<EventInfo>;
  /** The details of several events in one call (null for an event without one). */
  eventDetails(indices: number[]): Promise<(EventDetailDto | null)[]>;
  /** Applies a Wireshark-like display filter (`ip.addr == 10.2.1.4 && tcp.port == 8080`, `dns`, `nat`, `drop`). */
  filter(expr: string): Promise<FilterReply>;
  topology(): Promise<TopologyDto>;
  /** A node's ruleset as `iptables-save` prints it (at the end of the run). */
  iptablesSave(node: string): Promise<string>;
  stateAt(index: number): Promise<StateAtDto>;
  /** The trace as pcapng. */
  pcapng(): Promise<Uint8Array>;
  /** The trace as JSON text (one object per event). */
  traceJson(): Promise<string>;
}
