/**
 * Reading and checking the `kind: Scenario` document (shared/docs/scenario-format.md): every
 * field's type, durations and bandwidths, CIDRs, traffic sources and targets, exactly one
 * kind per traffic item, expectations that fit the traffic kind, fault shapes, unique names.
 * Problems are collected (never only the first) with field paths; the loader gives them
 * positions. `checkReferences` is the later, cluster-aware check that named pods, workloads,
 * nodes, clients and Services exist.
 *
 * Unlike Kubernetes manifests (where unknown fields are accepted, as the API server does),
 * the Scenario document is kubewire's own format: an unknown key is an error, with a
 * suggestion when it looks like a typo.
 */
import { parseBandwidth, parseDuration, type SimTime } from '../sim/time.ts';
import { parseIpv4 } from '../wire/addr.ts';
import { parseIpv4PrefixSloppy } from '../k8s/kube-proxy/ip.ts';
import type { K8sObject, ObjectKey } from './model.ts';
import {
  DNS_QUERY_TYPES,
  EXPECT_APPLIES_TO,
  FAULT_KINDS,
  TRAFFIC_KINDS,
  clusterNodes,
  isDnsLabel,
  isObjectName,
  numberedNodes,
  parseNamespacedRef,
  parsePodRef,
  parseSourceRef,
  type AddressPort,
  type AddressValue,
  type BodyMatcher,
  type Budgets,
  type ClientIpExpect,
  type ClientSpec,
  type ClusterDnsSpec,
  type ClusterNodeSpec,
  type ClusterSpec,
  type DnatExpect,
  type DnsQueryType,
  type DnsRecordExpect,
  type Fault,
  type HostTarget,
  type IptablesTable,
  type KubeProxySpec,
  type NetworkSpec,
  type ObjectRef,
  type PortRange,
  type RefParse,
  type Scenario,
  type ScenarioExpectation,
  type ScenarioProblem,
  type ServedByMatcher,
  type Severity,
  type TrafficAction,
  type TrafficExpect,
  type TrafficItem,
  type TrafficKind,
  type UpstreamRecord,
} from './model.ts';
import { formatPath, type PathSeg, type PositionIndex } from './positions.ts';

// ---------------------------------------------------------------------------------------------
// Problem collection and value helpers (shared with parse.ts)

/** A problem found while reading a value, with its field path but no position yet. */
export interface PendingProblem {
  readonly path: readonly PathSeg[];
  readonly message: string;
  readonly severity: Severity;
  /** Point at the key rather than the value (unknown keys). */
  readonly atKey?: boolean;
}

/** Collects the problems of one reading pass. */
export class Problems {
  /** Everything reported so far, in order. */
  readonly list: PendingProblem[] = [];

  /** Reports an error at a field path. */
  error(path: readonly PathSeg[], message: string, atKey = false): void {
    this.list.push(atKey ? { path, message, severity: 'error', atKey } : { path, message, severity: 'error' });
  }

  /** Reports a warning at a field path. */
  warn(path: readonly PathSeg[], message: string, atKey = false): void {
    this.list.push(atKey ? { path, message, severity: 'warning', atKey } : { path, message, severity: 'warning' });
  }

  /** How many errors (not warnings) were reported. */
  get errorCount(): number {
    let n = 0;
    for (const p of this.list) if (p.severity === 'error') n++;
    return n;
  }
}

/** A plain mapping as `toJS` produces it. */
export type JsonMap = Readonly<Record<string, unknown>>;

/** Whether a value is a YAML mapping (a plain object, not a list, Set, Map or bytes). */
export function isMapping(v: unknown): v is JsonMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Describes a value for "got …" in messages: strings quoted, lists and mappings by name. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (isMapping(v)) return 'a mapping';
  return `a ${typeof v}`;
}

/** The value of a key, treating null like absence (as Go's JSON decoding does). */
export function field(m: JsonMap, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(m, key)) return undefined;
  const v = m[key];
  return v === null ? undefined : v;
}

/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to a misspelt word, if any is close enough to be a likely typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestD <= limit ? best : undefined;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s !== undefined ? ` (did you mean ${s}?)` : '';
}

/** Reports keys of `m` not in `allowed` as errors at the key. */
export function checkKeys(p: Problems, m: JsonMap, path: readonly PathSeg[], allowed: readonly string[], what: string): void {
  for (const k of Object.keys(m)) {
    if (!allowed.includes(k)) p.error([...path, k], `unknown ${what} "${k}"${didYouMean(k, allowed)}; expected one of ${allowed.join(', ')}`, true);
  }
}

/** Reads a mapping; reports and returns undefined when the value is something else. */
export function asMap(p: Problems, v: unknown, path: readonly PathSeg[], what = 'a mapping'): JsonMap | undefined {
  if (isMapping(v)) return v;
  p.error(path, `expected ${what}, got ${describeValue(v)}`);
  return undefined;
}

/** Reads a list; reports and returns undefined when the value is something else. */
export function asList(p: Problems, v: unknown, path: readonly PathSeg[], what = 'a list'): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v;
  p.error(path, `expected ${what}, got ${describeValue(v)}`);
  return undefined;
}

/** Reads a string. */
export function asString(p: Problems, v: unknown, path: readonly PathSeg[], what = 'a string'): string | undefined {
  if (typeof v === 'string') return v;
  const hint = typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : '';
  p.error(path, `expected ${what}, got ${describeValue(v)}${hint}`);
  return undefined;
}

/** Reads an integer in an optional inclusive range. */
export function asInt(p: Problems, v: unknown, path: readonly PathSeg[], min = -Infinity, max = Infinity, what = 'an integer'): number | undefined {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    p.error(path, `expected ${what}, got ${describeValue(v)}`);
    return undefined;
  }
  if (v < min || v > max) {
    p.error(path, `expected ${what} ${rangeText(min, max)}, got ${v}`);
    return undefined;
  }
  return v;
}

function rangeText(min: number, max: number): string {
  if (max === Infinity) return `≥ ${min}`;
  if (min === -Infinity) return `≤ ${max}`;
  return `from ${min} to ${max}`;
}

/** Reads a finite number in an optional inclusive range. */
export function asNumber(p: Problems, v: unknown, path: readonly PathSeg[], min = -Infinity, max = Infinity, what = 'a number'): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.error(path, `expected ${what}, got ${describeValue(v)}`);
    return undefined;
  }
  if (v < min || v > max) {
    p.error(path, `expected ${what} ${rangeText(min, max)}, got ${v}`);
    return undefined;
  }
  return v;
}

/** Reads a boolean. */
export function asBool(p: Problems, v: unknown, path: readonly PathSeg[]): boolean | undefined {
  if (typeof v === 'boolean') return v;
  p.error(path, `expected true or false, got ${describeValue(v)}`);
  return undefined;
}

/** Reads one of a fixed set of strings. */
export function asEnum<const V extends string>(p: Problems, v: unknown, path: readonly PathSeg[], values: readonly V[]): V | undefined {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as V;
  const hint = typeof v === 'string' ? didYouMean(v, values) : '';
  p.error(path, `expected one of ${values.join(', ')}, got ${describeValue(v)}${hint}`);
  return undefined;
}

/** Reads a string-to-string map (labels, selectors). */
export function asStringMap(p: Problems, v: unknown, path: readonly PathSeg[]): Record<string, string> | undefined {
  const m = asMap(p, v, path, 'a mapping of strings');
  if (!m) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, val] of Object.entries(m)) {
    if (k === '__proto__') {
      p.error([...path, k], 'not a valid key', true);
      ok = false;
    } else if (val === null) out[k] = ''; // a null value in a label map decodes to "" in Go
    else {
      const s = asString(p, val, [...path, k]);
      if (s === undefined) ok = false;
      else out[k] = s;
    }
  }
  return ok ? out : undefined;
}

/** Reads a list of strings (a single string counts as a list of one when `single` is set). */
export function asStringList(p: Problems, v: unknown, path: readonly PathSeg[], single = false): string[] | undefined {
  if (single && typeof v === 'string') return [v];
  const list = asList(p, v, path, 'a list of strings');
  if (!list) return undefined;
  const out: string[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const s = asString(p, item, [...path, i]);
    if (s === undefined) ok = false;
    else out.push(s);
  });
  return ok ? out : undefined;
}

/** Reads a duration ("50us", "1.5ms", "2s"; a bare 0). Other bare numbers are refused: they would silently be nanoseconds. */
export function asDuration(p: Problems, v: unknown, path: readonly PathSeg[]): SimTime | undefined {
  if (v === 0) return 0;
  if (typeof v === 'number') {
    p.error(path, `expected a duration with a unit such as 50us, 1ms or 2s, got ${v} (write ${v}ms or ${v}s)`);
    return undefined;
  }
  if (typeof v !== 'string') {
    p.error(path, `expected a duration such as 50us, 1ms or 2s, got ${describeValue(v)}`);
    return undefined;
  }
  let t: SimTime;
  try {
    t = parseDuration(v);
  } catch {
    p.error(path, `expected a duration such as 50us, 1ms or 2s, got ${describeValue(v)}`);
    return undefined;
  }
  if (t < 0) {
    p.error(path, `expected a duration ≥ 0, got ${describeValue(v)}`);
    return undefined;
  }
  return t;
}

/** Reads a bandwidth ("10Gbps", "100Mbps", "1Gb/s"; a bare number is bits per second). */
export function asBandwidth(p: Problems, v: unknown, path: readonly PathSeg[]): number | undefined {
  let bps: number | undefined;
  if (typeof v === 'number' || typeof v === 'string') {
    try {
      bps = parseBandwidth(v);
    } catch {
      bps = undefined;
    }
  }
  if (bps === undefined || !Number.isFinite(bps) || bps <= 0) {
    p.error(path, `expected a bandwidth such as 10Gbps, 100Mbps or 1Gb/s, got ${describeValue(v)}`);
    return undefined;
  }
  return bps;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };

/** Reads a byte count: an integer, or a size such as 64Mi, 100MB, 1G. */
export function asByteSize(p: Problems, v: unknown, path: readonly PathSeg[]): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]i?)?B?\s*$/.exec(v) : null;
  if (m) {
    const n = Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]!);
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  p.error(path, `expected a size in bytes such as 64Mi, 100MB or 1000000, got ${describeValue(v)}`);
  return undefined;
}

/** Whether text is an IPv4 CIDR (leading zeros read as decimal, as Kubernetes' legacy parser does). */
export function isIpv4Cidr(text: string): boolean {
  return parseIpv4PrefixSloppy(text.trim()) !== null;
}

const IPV6_CIDR = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\/(\d{1,3})$/;

function isIpv6Cidr(text: string): boolean {
  const m = IPV6_CIDR.exec(text.trim());
  return m !== null && Number(m[1]) <= 128;
}

/** Reads an IPv4 CIDR. */
export function asCidr(p: Problems, v: unknown, path: readonly PathSeg[]): string | undefined {
  const s = asString(p, v, path, 'a CIDR such as 10.2.0.0/16');
  if (s === undefined) return undefined;
  if (isIpv4Cidr(s)) return s;
  p.error(path, `expected an IPv4 CIDR such as 10.2.0.0/16, got ${describeValue(s)}`);
  return undefined;
}

/** Reads an IPv4 address. */
export function asIpv4(p: Problems, v: unknown, path: readonly PathSeg[]): string | undefined {
  const s = asString(p, v, path, 'an IPv4 address');
  if (s === undefined) return undefined;
  if (parseIpv4(s.trim()) !== null) return s.trim();
  p.error(path, `expected an IPv4 address such as 10.0.0.1, got ${describeValue(s)}`);
  return undefined;
}

function fromRef<T>(p: Problems, r: RefParse<T>, path: readonly PathSeg[]): T | undefined {
  if (r.ok) return r.value;
  p.error(path, r.message);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Targets and addresses

const HOSTNAME = /^[A-Za-z0-9_]([-A-Za-z0-9_.]*[A-Za-z0-9.])?$/;

/**
 * Parses a target host: an IPv4 literal, a hostname (resolved through the source's resolver),
 * or `service:NAME`, `service:NS/NAME`, `service:NAME.NS` (that Service's load-balancer IP).
 */
export function parseHostTarget(text: string, allowSlash = true): RefParse<HostTarget> {
  const t = text.trim();
  if (t.startsWith('service:')) {
    const rest = t.slice('service:'.length);
    let ref: RefParse<ObjectRef<'service'>>;
    if (rest.includes('/')) {
      if (!allowSlash) return { ok: false, message: `"${t}": inside a URL write service:NAME.NAMESPACE (a '/' would start the path)` };
      ref = parseNamespacedRef('service', rest);
    } else {
      const dot = rest.indexOf('.');
      ref = dot < 0 ? parseNamespacedRef('service', rest) : parseNamespacedRef('service', `${rest.slice(dot + 1)}/${rest.slice(0, dot)}`);
    }
    if (!ref.ok) return ref;
    if (!isDnsLabel(ref.value.name)) return { ok: false, message: `"${t}": "${ref.value.name}" is not a valid Service name` };
    return { ok: true, value: { kind: 'service', service: ref.value } };
  }
  if (t === '') return { ok: false, message: 'the host is empty' };
  if (/^[\d.]+$/.test(t)) {
    return parseIpv4(t) !== null ? { ok: true, value: { kind: 'ip', ip: t } } : { ok: false, message: `"${t}" is not a valid IPv4 address` };
  }
  if (!HOSTNAME.test(t) || t.length > 253) return { ok: false, message: `"${t}" is not a valid hostname, IPv4 address or service:NAME` };
  return { ok: true, value: { kind: 'name', name: t } };
}

function splitHostPort(text: string): { host: string; port: string } | null {
  const i = text.lastIndexOf(':');
  if (i < 0) return null;
  const port = text.slice(i + 1);
  if (!/^\d+$/.test(port)) return null;
  return { host: text.slice(0, i), port };
}

function checkPort(text: string): number | null {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= 65535 ? n : null;
}

/** Parses an http URL `http://HOST[:PORT][/PATH]`, where HOST may be `service:NAME[.NS]`. */
export function parseHttpUrl(url: string): RefParse<{ target: HostTarget; port: number; path: string }> {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)(#.*)?$/.exec(url.trim());
  if (!m) return { ok: false, message: `"${url}" is not a URL: expected http://HOST[:PORT]/PATH` };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http') return { ok: false, message: `"${url}": only http:// is modelled${scheme === 'https' ? ' (TLS is not)' : ''}` };
  let authority = m[2]!;
  if (authority.includes('@')) return { ok: false, message: `"${url}": user information in URLs is not supported` };
  let port = 80;
  const hp = splitHostPort(authority);
  if (hp && hp.host !== 'service') {
    const n = checkPort(hp.port);
    if (n === null) return { ok: false, message: `"${url}": port ${hp.port} is not from 1 to 65535` };
    port = n;
    authority = hp.host;
  }
  const target = parseHostTarget(authority, false);
  if (!target.ok) return { ok: false, message: `"${url}": ${target.message}` };
  let path = m[3]!;
  if (path === '') path = '/';
  else if (path.startsWith('?')) path = `/${path}`;
  return { ok: true, value: { target: target.value, port, path } };
}

/** Parses an address with an optional port: `10.2.1.4`, `10.2.1.4:8080`, `pod/backend-1:8080`, `service:web:80`. */
export function parseAddressPort(text: string): RefParse<AddressPort> {
  const t = text.trim();
  let addrText = t;
  let port: number | undefined;
  const hp = splitHostPort(t);
  if (hp && hp.host !== 'service') {
    const n = checkPort(hp.port);
    if (n === null) return { ok: false, message: `"${t}": port ${hp.port} is not from 1 to 65535` };
    port = n;
    addrText = hp.host;
  }
  const a = parseAddressValue(addrText);
  if (!a.ok) return a;
  return { ok: true, value: port === undefined ? { address: a.value } : { address: a.value, port } };
}

/** Parses an address: an IPv4 literal, or `pod/[NS/]NAME`, `node/NAME`, `client/NAME`, `service:[NS/]NAME` (that object's address). */
export function parseAddressValue(text: string): RefParse<AddressValue> {
  const t = text.trim();
  if (/^[\d.]+$/.test(t)) return parseIpv4(t) !== null ? { ok: true, value: { kind: 'ip', ip: t } } : { ok: false, message: `"${t}" is not a valid IPv4 address` };
  if (t.startsWith('service:')) {
    const h = parseHostTarget(t);
    if (!h.ok) return h;
    if (h.value.kind !== 'service') return { ok: false, message: `"${t}" is not a Service reference` };
    return { ok: true, value: { kind: 'ref', ref: h.value.service } };
  }
  const kind = t.split('/')[0];
  if (kind === 'pod' || kind === 'node' || kind === 'client') {
    const r = parseSourceRef(t);
    if (!r.ok) return r;
    return { ok: true, value: { kind: 'ref', ref: r.value as ObjectRef<'pod' | 'node' | 'client'> } };
  }
  return { ok: false, message: `"${t}" is not an address: expected an IPv4 address, pod/NAME, node/NAME, client/NAME or service:NAME` };
}

// ---------------------------------------------------------------------------------------------
// The Scenario document

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
const META_KEYS = ['name', 'description', 'labels', 'annotations'] as const;
const SPEC_KEYS = ['seed', 'cluster', 'clients', 'traffic', 'faults', 'expect', 'budgets'] as const;
const CLUSTER_KEYS = [
  'nodes',
  'podCIDR',
  'serviceCIDR',
  'nodeCIDR',
  'dnsDomain',
  'serviceNodePortRange',
  'allocateNodePorts',
  'kubeProxy',
  'dns',
  'network',
  'cloud',
  'propagationDelay',
] as const;
const KUBE_PROXY_KEYS = [
  'mode',
  'clusterCIDR',
  'detectLocalMode',
  'bridgeInterface',
  'interfaceNamePrefix',
  'masqueradeAll',
  'masqueradeBit',
  'nodePortAddresses',
  'localhostNodePorts',
  'randomFully',
  'nfacct',
  'conntrackTCPBeLiberal',
] as const;
const DNS_KEYS = ['ttl', 'pods', 'zones', 'fallthrough', 'ignoreEmptyService', 'upstream'] as const;
const TRAFFIC_KEYS = ['name', 'at', 'from', ...TRAFFIC_KINDS, 'repeat', 'interval', 'timeout', 'expect'] as const;
const EXPECT_KEYS = Object.keys(EXPECT_APPLIES_TO) as (keyof TrafficExpect)[];
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;
const DETECT_LOCAL_MODES = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'] as const;

/** The Scenario document's apiVersion. */
export const SCENARIO_API_VERSION = 'kubewire.dev/v1alpha1';

/**
 * Reads a `kind: Scenario` document (as `toJS` gives it) into the model, reporting every
 * problem into `p`. Returns the model only when this document had no errors.
 * `defaultName` names a Scenario whose metadata gives none (the loader passes the file name).
 */
export function readScenario(value: unknown, defaultName: string, p: Problems): Scenario | undefined {
  const before = p.errorCount;
  const top = asMap(p, value, [], 'a Scenario document (a mapping)');
  if (!top) return undefined;
  checkKeys(p, top, [], TOP_KEYS, 'field');
  const apiVersion = field(top, 'apiVersion');
  if (apiVersion === undefined) p.error(['kind'], `missing apiVersion: add "apiVersion: ${SCENARIO_API_VERSION}"`);
  else if (apiVersion !== SCENARIO_API_VERSION) p.error(['apiVersion'], `expected ${SCENARIO_API_VERSION}, got ${describeValue(apiVersion)}`);

  let name = defaultName;
  let metadata: Scenario['metadata'] = { name };
  const metaV = field(top, 'metadata');
  if (metaV !== undefined) {
    const meta = asMap(p, metaV, ['metadata']);
    if (meta) {
      checkKeys(p, meta, ['metadata'], META_KEYS, 'metadata field');
      const n = field(meta, 'name');
      if (n !== undefined) {
        const s = asString(p, n, ['metadata', 'name']);
        if (s !== undefined) {
          if (s.trim() === '') p.error(['metadata', 'name'], 'the name is empty');
          else name = s;
        }
      }
      const description = optional(meta, 'description', (v) => asString(p, v, ['metadata', 'description']));
      const labels = optional(meta, 'labels', (v) => asStringMap(p, v, ['metadata', 'labels']));
      const annotations = optional(meta, 'annotations', (v) => asStringMap(p, v, ['metadata', 'annotations']));
      metadata = { name, ...def('description', description), ...def('labels', labels), ...def('annotations', annotations) };
    }
  }

  const specV = field(top, 'spec');
  let spec: Scenario['spec'] | undefined;
  if (specV === undefined) p.error(['spec'], 'missing spec: a Scenario needs at least spec.traffic or spec.expect to do anything');
  else {
    const specMap = asMap(p, specV, ['spec']);
    if (specMap) spec = readSpec(p, specMap);
  }
  if (p.errorCount > before || !spec) return undefined;
  return { apiVersion: SCENARIO_API_VERSION, kind: 'Scenario', metadata, spec };
}

/** Calls `read` on a present (non-null) field. */
function optional<T>(m: JsonMap, key: string, read: (v: unknown) => T | undefined): T | undefined {
  const v = field(m, key);
  return v === undefined ? undefined : read(v);
}

/** `{[key]: value}` when value is defined, else `{}`: builds objects without `undefined` members. */
function def<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function readSpec(p: Problems, m: JsonMap): Scenario['spec'] {
  const path = ['spec'];
  checkKeys(p, m, path, SPEC_KEYS, 'spec field');
  const seed = optional(m, 'seed', (v) => asInt(p, v, [...path, 'seed'], 0, 0xffffffff, 'an unsigned 32-bit integer')) ?? 0;
  const cluster = optional(m, 'cluster', (v) => {
    const c = asMap(p, v, [...path, 'cluster']);
    return c ? readCluster(p, c, [...path, 'cluster']) : undefined;
  }) ?? {};
  const clients = readList(p, m, 'clients', path, (v, ip) => readClient(p, v, ip));
  uniqueNames(p, clients, [...path, 'clients'], 'client');
  const traffic = readList(p, m, 'traffic', path, (v, ip, i) => readTraffic(p, v, ip, i));
  uniqueNames(p, traffic, [...path, 'traffic'], 'traffic item');
  const faults = readList(p, m, 'faults', path, (v, ip) => readFault(p, v, ip));
  const expect = readList(p, m, 'expect', path, (v, ip) => readScenarioExpectation(p, v, ip));
  const budgets = optional(m, 'budgets', (v) => readBudgets(p, v, [...path, 'budgets'])) ?? {};
  return { seed, cluster, clients, traffic, faults, expect, budgets };
}

/** Reads an optional list field, keeping only the items that read cleanly (the caller fails the file on any error). */
function readList<T>(p: Problems, m: JsonMap, key: string, path: readonly PathSeg[], read: (v: unknown, path: PathSeg[], i: number) => T | undefined): T[] {
  const v = field(m, key);
  if (v === undefined) return [];
  const list = asList(p, v, [...path, key]);
  if (!list) return [];
  const out: T[] = [];
  list.forEach((item, i) => {
    const r = read(item, [...path, key, i], i);
    if (r !== undefined) out.push(r);
  });
  return out;
}

function uniqueNames(p: Problems, items: readonly { name: string }[], path: readonly PathSeg[], what: string): void {
  const seen = new Map<string, number>();
  items.forEach((it, i) => {
    const first = seen.get(it.name);
    if (first !== undefined) p.error([...path, i, 'name'], `duplicate ${what} name "${it.name}" (also ${formatPath([...path, first])})`);
    else seen.set(it.name, i);
  });
}

function readCluster(p: Problems, m: JsonMap, path: PathSeg[]): ClusterSpec {
  checkKeys(p, m, path, CLUSTER_KEYS, 'cluster field');
  const at = (k: string): PathSeg[] => [...path, k];
  const nodes = optional(m, 'nodes', (v) => readNodes(p, v, at('nodes')));
  const podCIDR = optional(m, 'podCIDR', (v) => asCidr(p, v, at('podCIDR')));
  const serviceCIDR = optional(m, 'serviceCIDR', (v) => readServiceCidr(p, v, at('serviceCIDR')));
  const nodeCIDR = optional(m, 'nodeCIDR', (v) => asCidr(p, v, at('nodeCIDR')));
  const dnsDomain = optional(m, 'dnsDomain', (v) => {
    const s = asString(p, v, at('dnsDomain'));
    if (s !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s)) {
      p.error(at('dnsDomain'), `expected a DNS domain such as cluster.local, got ${describeValue(s)}`);
      return undefined;
    }
    return s;
  });
  const serviceNodePortRange = optional(m, 'serviceNodePortRange', (v) => readPortRange(p, v, at('serviceNodePortRange')));
  const allocateNodePorts = optional(m, 'allocateNodePorts', (v) => asBool(p, v, at('allocateNodePorts')));
  const kubeProxy = optional(m, 'kubeProxy', (v) => {
    const km = asMap(p, v, at('kubeProxy'));
    return km ? readKubeProxy(p, km, at('kubeProxy')) : undefined;
  });
  const dns = optional(m, 'dns', (v) => {
    const dm = asMap(p, v, at('dns'));
    return dm ? readDns(p, dm, at('dns')) : undefined;
  });
  const network = optional(m, 'network', (v) => readNetwork(p, v, at('network')));
  const cloud = optional(m, 'cloud', (v) => {
    const cm = asMap(p, v, at('cloud'));
    if (!cm) return undefined;
    checkKeys(p, cm, at('cloud'), ['loadBalancer'], 'cloud field');
    const lb = optional(cm, 'loadBalancer', (lv) => {
      const lm = asMap(p, lv, [...at('cloud'), 'loadBalancer']);
      if (!lm) return undefined;
      checkKeys(p, lm, [...at('cloud'), 'loadBalancer'], ['ipPool'], 'loadBalancer field');
      const ipPool = optional(lm, 'ipPool', (iv) => asCidr(p, iv, [...at('cloud'), 'loadBalancer', 'ipPool']));
      return def('ipPool', ipPool);
    });
    return def('loadBalancer', lb);
  });
  const propagationDelay = optional(m, 'propagationDelay', (v) => asDuration(p, v, at('propagationDelay')));
  return {
    ...def('nodes', nodes),
    ...def('podCIDR', podCIDR),
    ...def('serviceCIDR', serviceCIDR),
    ...def('nodeCIDR', nodeCIDR),
    ...def('dnsDomain', dnsDomain),
    ...def('serviceNodePortRange', serviceNodePortRange),
    ...def('allocateNodePorts', allocateNodePorts),
    ...def('kubeProxy', kubeProxy),
    ...def('dns', dns),
    ...def('network', network),
    ...def('cloud', cloud),
    ...def('propagationDelay', propagationDelay),
  };
}

function readNodes(p: Problems, v: unknown, path: PathSeg[]): readonly ClusterNodeSpec[] | undefined {
  if (typeof v === 'number') {
    const n = asInt(p, v, path, 1, 1000, 'a node count');
    return n === undefined ? undefined : numberedNodes(n);
  }
  if (!Array.isArray(v)) {
    p.error(path, `expected a node count or a list of {name, ip, labels}, got ${describeValue(v)}`);
    return undefined;
  }
  const out: ClusterNodeSpec[] = [];
  v.forEach((item, i) => {
    const ip = [...path, i];
    const m = asMap(p, item, ip, 'a node {name, ip, labels}');
    if (!m) return;
    checkKeys(p, m, ip, ['name', 'ip', 'labels'], 'node field');
    const nameV = field(m, 'name');
    let name: string | undefined;
    if (nameV === undefined) p.error(ip, 'missing name: every node in the list needs one');
    else {
      name = asString(p, nameV, [...ip, 'name']);
      if (name !== undefined && !isObjectName(name)) {
        p.error([...ip, 'name'], `"${name}" is not a valid node name (lower-case letters, digits, '-' and '.')`);
        name = undefined;
      }
    }
    const addr = optional(m, 'ip', (x) => asIpv4(p, x, [...ip, 'ip']));
    const labels = optional(m, 'labels', (x) => asStringMap(p, x, [...ip, 'labels']));
    if (name !== undefined) out.push({ name, ...def('ip', addr), ...def('labels', labels) });
  });
  uniqueNames(p, out, path, 'node');
  if (v.length === 0) p.error(path, 'a cluster needs at least one node');
  return out;
}

function readServiceCidr(p: Problems, v: unknown, path: PathSeg[]): string | undefined {
  const s = asString(p, v, path, 'a CIDR such as 10.96.0.0/12');
  if (s === undefined) return undefined;
  const parts = s.split(',').map((x) => x.trim());
  if (parts.length > 2) {
    p.error(path, `expected at most two CIDRs (one per IP family), got ${parts.length}`);
    return undefined;
  }
  if (!isIpv4Cidr(parts[0]!)) {
    p.error(path, `expected an IPv4 CIDR first (the primary service range), got ${describeValue(parts[0])}`);
    return undefined;
  }
  if (parts.length === 2 && !isIpv6Cidr(parts[1]!)) {
    p.error(path, `the secondary service range must be an IPv6 CIDR, got ${describeValue(parts[1])}`);
    return undefined;
  }
  return s;
}

/** Parses a kube-apiserver port range: "30000-32767", "30000+2767" (base plus offset) or a single port. */
function readPortRange(p: Problems, v: unknown, path: PathSeg[]): PortRange | undefined {
  const s = asString(p, v, path, 'a port range such as "30000-32767"');
  if (s === undefined) return undefined;
  const m = /^\s*(\d+)\s*(?:([-+])\s*(\d+))?\s*$/.exec(s);
  let range: PortRange | undefined;
  if (m) {
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[2] === '-' ? Number(m[3]) : min + Number(m[3]);
    if (min >= 1 && max <= 65535 && min <= max) range = { min, max };
  }
  if (!range) p.error(path, `expected a port range such as "30000-32767" (ports 1 to 65535, low first), got ${describeValue(s)}`);
  return range;
}

/** Reads the kube-proxy settings (`cluster.kubeProxy`). */
function readKubeProxy(p: Problems, m: JsonMap, path: PathSeg[]): KubeProxySpec {
  checkKeys(p, m, path, KUBE_PROXY_KEYS, 'kubeProxy field');
  const at = (k: string): PathSeg[] => [...path, k];
  const mode = optional(m, 'mode', (v) => readKubeProxyMode(p, v, at('mode')));
  const clusterCIDR = optional(m, 'clusterCIDR', (v) => readClusterCidr(p, v, at('clusterCIDR')));
  const detectLocalMode = optional(m, 'detectLocalMode', (v) => (v === '' ? undefined : asEnum(p, v, at('detectLocalMode'), DETECT_LOCAL_MODES)));
  const bridgeInterface = optional(m, 'bridgeInterface', (v) => asString(p, v, at('bridgeInterface')));
  const interfaceNamePrefix = optional(m, 'interfaceNamePrefix', (v) => asString(p, v, at('interfaceNamePrefix')));
  const masqueradeAll = optional(m, 'masqueradeAll', (v) => asBool(p, v, at('masqueradeAll')));
  const masqueradeBit = optional(m, 'masqueradeBit', (v) => asInt(p, v, at('masqueradeBit'), 0, 31));
  const nodePortAddresses = optional(m, 'nodePortAddresses', (v) => readNodePortAddresses(p, v, at('nodePortAddresses')));
  const localhostNodePorts = optional(m, 'localhostNodePorts', (v) => asBool(p, v, at('localhostNodePorts')));
  const randomFully = optional(m, 'randomFully', (v) => asBool(p, v, at('randomFully')));
  const nfacct = optional(m, 'nfacct', (v) => asBool(p, v, at('nfacct')));
  const conntrackTCPBeLiberal = optional(m, 'conntrackTCPBeLiberal', (v) => asBool(p, v, at('conntrackTCPBeLiberal')));
  return {
    ...def('mode', mode),
    ...def('clusterCIDR', clusterCIDR),
    ...def('detectLocalMode', detectLocalMode),
    ...def('bridgeInterface', bridgeInterface),
    ...def('interfaceNamePrefix', interfaceNamePrefix),
    ...def('masqueradeAll', masqueradeAll),
    ...def('masqueradeBit', masqueradeBit),
    ...def('nodePortAddresses', nodePortAddresses),
    ...def('localhostNodePorts', localhostNodePorts),
    ...def('randomFully', randomFully),
    ...def('nfacct', nfacct),
    ...def('conntrackTCPBeLiberal', conntrackTCPBeLiberal),
  };
}

/** Reads kube-proxy's mode: only iptables is modelled ('' is kube-proxy's spelling of the default, iptables on Linux). */
export function readKubeProxyMode(p: Problems, v: unknown, path: PathSeg[]): 'iptables' | undefined {
  if (v === '' || v === 'iptables') return 'iptables';
  if (v === 'ipvs' || v === 'nftables' || v === 'kernelspace') {
    p.error(path, `kube-proxy mode ${v} is not modelled: kubewire emulates iptables mode (remove the field or write iptables)`);
    return undefined;
  }
  return asEnum(p, v, path, ['iptables']);
}

/** Reads kube-proxy's clusterCIDR: '' (no detector) or comma-separated CIDRs, the IPv4 one used. */
export function readClusterCidr(p: Problems, v: unknown, path: PathSeg[]): string | undefined {
  const s = asString(p, v, path, 'a CIDR such as 10.2.0.0/16');
  if (s === undefined) return undefined;
  if (s.trim() === '') return '';
  for (const part of s.split(',')) {
    if (!isIpv4Cidr(part) && !isIpv6Cidr(part)) {
      p.error(path, `expected a CIDR such as 10.2.0.0/16 (or "" for none), got ${describeValue(part.trim())}`);
      return undefined;
    }
  }
  return s;
}

/** Reads nodePortAddresses: CIDRs or the special value "primary". */
export function readNodePortAddresses(p: Problems, v: unknown, path: PathSeg[]): string[] | undefined {
  const list = asStringList(p, v, path);
  if (!list) return undefined;
  let ok = true;
  list.forEach((s, i) => {
    if (s !== 'primary' && !isIpv4Cidr(s) && !isIpv6Cidr(s)) {
      p.error([...path, i], `expected a CIDR such as 192.168.49.0/24 or "primary", got ${describeValue(s)}`);
      ok = false;
    }
  });
  return ok ? list : undefined;
}

function readDns(p: Problems, m: JsonMap, path: PathSeg[]): ClusterDnsSpec {
  checkKeys(p, m, path, DNS_KEYS, 'dns field');
  const at = (k: string): PathSeg[] => [...path, k];
  const ttl = optional(m, 'ttl', (v) => asInt(p, v, at('ttl'), 0, 3600));
  const pods = optional(m, 'pods', (v) => asEnum(p, v, at('pods'), ['disabled', 'insecure', 'verified']));
  const zones = optional(m, 'zones', (v) => asStringList(p, v, at('zones'), true));
  const fallthrough = optional(m, 'fallthrough', (v): boolean | string[] | undefined => (typeof v === 'boolean' ? v : asStringList(p, v, at('fallthrough'), true)));
  const ignoreEmptyService = optional(m, 'ignoreEmptyService', (v) => asBool(p, v, at('ignoreEmptyService')));
  const upstream = optional(m, 'upstream', (v) => {
    const list = asList(p, v, at('upstream'), 'a list of {name, type, ttl, data}');
    if (!list) return undefined;
    const out: UpstreamRecord[] = [];
    list.forEach((item, i) => {
      const ip = [...at('upstream'), i];
      const r = asMap(p, item, ip, 'a record {name, type, ttl, data}');
      if (!r) return;
      checkKeys(p, r, ip, ['name', 'type', 'ttl', 'data'], 'upstream record field');
      const name = required(p, r, 'name', ip, (x) => asString(p, x, [...ip, 'name']), 'a DNS name');
      const type = required(p, r, 'type', ip, (x) => {
        const s = asString(p, x, [...ip, 'type']);
        if (s !== undefined && !/^[A-Za-z][A-Za-z0-9]*$/.test(s)) {
          p.error([...ip, 'type'], `expected a record type such as A, AAAA, CNAME or TXT, got ${describeValue(s)}`);
          return undefined;
        }
        return s?.toUpperCase();
      }, 'a record type such as A');
      const ttlR = optional(r, 'ttl', (x) => asInt(p, x, [...ip, 'ttl'], 0, 2147483647));
      const data = required(p, r, 'data', ip, (x) => (typeof x === 'number' ? String(x) : asString(p, x, [...ip, 'data'])), 'the record data');
      if (name !== undefined && type !== undefined && data !== undefined) out.push({ name, type, ...def('ttl', ttlR), data });
    });
    return out;
  });
  return {
    ...def('ttl', ttl),
    ...def('pods', pods),
    ...def('zones', zones),
    ...def('fallthrough', fallthrough),
    ...def('ignoreEmptyService', ignoreEmptyService),
    ...def('upstream', upstream),
  };
}

/** Reads a required field; reports it missing (at the enclosing mapping) with what was expected. */
function required<T>(p: Problems, m: JsonMap, key: string, path: readonly PathSeg[], read: (v: unknown) => T | undefined, expected: string): T | undefined {
  const v = field(m, key);
  if (v === undefined) {
    p.error([...path, key], `missing required field (${expected})`);
    return undefined;
  }
  return read(v);
}

function readNetwork(p: Problems, v: unknown, path: PathSeg[]): NetworkSpec | undefined {
  const m = asMap(p, v, path);
  if (!m) return undefined;
  checkKeys(p, m, path, ['latency', 'bandwidth', 'mtu'], 'network field');
  const latency = optional(m, 'latency', (x) => asDuration(p, x, [...path, 'latency']));
  const bandwidth = optional(m, 'bandwidth', (x) => asBandwidth(p, x, [...path, 'bandwidth']));
  const mtu = optional(m, 'mtu', (x) => asInt(p, x, [...path, 'mtu'], 576, 65535));
  return { ...def('latency', latency), ...def('bandwidth', bandwidth), ...def('mtu', mtu) };
}

function readBudgets(p: Problems, v: unknown, path: PathSeg[]): Budgets | undefined {
  const m = asMap(p, v, path);
  if (!m) return undefined;
  checkKeys(p, m, path, ['maxEvents', 'maxSimulatedTime', 'maxTraceBytes'], 'budgets field');
  const maxEvents = optional(m, 'maxEvents', (x) => asInt(p, x, [...path, 'maxEvents'], 1));
  const maxSimulatedTime = optional(m, 'maxSimulatedTime', (x) => asDuration(p, x, [...path, 'maxSimulatedTime']));
  const maxTraceBytes = optional(m, 'maxTraceBytes', (x) => asByteSize(p, x, [...path, 'maxTraceBytes']));
  return { ...def('maxEvents', maxEvents), ...def('maxSimulatedTime', maxSimulatedTime), ...def('maxTraceBytes', maxTraceBytes) };
}

function readClient(p: Problems, v: unknown, path: PathSeg[]): ClientSpec | undefined {
  const m = asMap(p, v, path, 'a client {name, ip}');
  if (!m) return undefined;
  checkKeys(p, m, path, ['name', 'ip'], 'client field');
  const name = required(p, m, 'name', path, (x) => {
    const s = asString(p, x, [...path, 'name']);
    if (s !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s)) {
      p.error([...path, 'name'], `"${s}" is not a valid client name (letters, digits, '-', '_' and '.')`);
      return undefined;
    }
    return s;
  }, 'a name such as laptop');
  const ip = required(p, m, 'ip', path, (x) => asIpv4(p, x, [...path, 'ip']), 'an IPv4 address outside the cluster');
  return name !== undefined && ip !== undefined ? { name, ip } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Traffic

function readTraffic(p: Problems, v: unknown, path: PathSeg[], index: number): TrafficItem | undefined {
  const m = asMap(p, v, path, 'a traffic item (a mapping)');
  if (!m) return undefined;
  const before = p.errorCount;
  checkKeys(p, m, path, TRAFFIC_KEYS, 'traffic field');
  const name = optional(m, 'name', (x) => {
    const s = asString(p, x, [...path, 'name']);
    if (s !== undefined && s.trim() === '') {
      p.error([...path, 'name'], 'the name is empty');
      return undefined;
    }
    return s;
  }) ?? `traffic[${index}]`;
  const at = optional(m, 'at', (x) => asDuration(p, x, [...path, 'at'])) ?? 0;
  const from = required(p, m, 'from', path, (x) => {
    const s = asString(p, x, [...path, 'from'], 'a source such as pod/NAME');
    return s === undefined ? undefined : fromRef(p, parseSourceRef(s), [...path, 'from']);
  }, 'where the traffic starts: pod/NAME, pod/NAMESPACE/NAME, node/NAME, client/NAME or deployment/NAME');
  const repeat = optional(m, 'repeat', (x) => asInt(p, x, [...path, 'repeat'], 1, 100000)) ?? 1;
  const interval = optional(m, 'interval', (x) => asDuration(p, x, [...path, 'interval']));
  const timeout = optional(m, 'timeout', (x) => {
    const t = asDuration(p, x, [...path, 'timeout']);
    if (t === 0) {
      p.error([...path, 'timeout'], 'expected a duration > 0');
      return undefined;
    }
    return t;
  });

  const kinds = TRAFFIC_KINDS.filter((k) => Object.prototype.hasOwnProperty.call(m, k));
  let action: TrafficAction | undefined;
  if (kinds.length === 0) {
    p.error(path, `a traffic item needs one of ${TRAFFIC_KINDS.join(', ')} (what to send)`);
  } else {
    for (const extra of kinds.slice(1)) {
      p.error([...path, extra], `only one of ${TRAFFIC_KINDS.join(', ')} per traffic item: this one also has ${kinds[0]}; split it into two items`, true);
    }
    if (kinds.length === 1) action = readAction(p, kinds[0]!, field(m, kinds[0]!), [...path, kinds[0]!]);
  }

  let expect: TrafficExpect | undefined;
  const expectV = field(m, 'expect');
  if (expectV !== undefined) expect = readTrafficExpect(p, expectV, [...path, 'expect'], kinds.length === 1 ? kinds[0]! : undefined, repeat);

  if (p.errorCount > before || !action || !from) return undefined;
  return {
    name,
    at,
    from,
    repeat,
    ...def('interval', interval),
    ...def('timeout', timeout),
    ...def('expect', expect),
    ...action,
  };
}

function readTargetPort(p: Problems, m: JsonMap, path: PathSeg[], kind: string): { target: HostTarget; port: number } | undefined {
  const hasAddress = field(m, 'address') !== undefined;
  const hasHost = field(m, 'host') !== undefined || field(m, 'port') !== undefined;
  if (hasAddress && hasHost) {
    p.error([...path, 'address'], `give either address (HOST:PORT) or host and port, not both`, true);
    return undefined;
  }
  if (hasAddress) {
    const s = asString(p, field(m, 'address'), [...path, 'address'], 'an address HOST:PORT');
    if (s === undefined) return undefined;
    const hp = splitHostPort(s.trim());
    if (!hp) {
      p.error([...path, 'address'], `expected HOST:PORT such as 10.96.0.10:53 or backend:8080, got ${describeValue(s)}`);
      return undefined;
    }
    const port = checkPort(hp.port);
    if (port === null) {
      p.error([...path, 'address'], `port ${hp.port} is not from 1 to 65535`);
      return undefined;
    }
    const target = fromRef(p, parseHostTarget(hp.host), [...path, 'address']);
    return target ? { target, port } : undefined;
  }
  const hostS = required(p, m, 'host', path, (x) => asString(p, x, [...path, 'host']), `the host to reach (or address: HOST:PORT) for ${kind}`);
  const port = required(p, m, 'port', path, (x) => asInt(p, x, [...path, 'port'], 1, 65535, 'a port number'), 'a port number');
  const target = hostS === undefined ? undefined : fromRef(p, parseHostTarget(hostS), [...path, 'host']);
  return target !== undefined && port !== undefined ? { target, port } : undefined;
}

function readAction(p: Problems, kind: TrafficKind, v: unknown, path: PathSeg[]): TrafficAction | undefined {
  const m = asMap(p, v, path, `the ${kind} request (a mapping)`);
  if (!m) return undefined;
  switch (kind) {
    case 'http': {
      checkKeys(p, m, path, ['url', 'host', 'method'], 'http field');
      const url = required(p, m, 'url', path, (x) => asString(p, x, [...path, 'url']), 'a URL such as http://backend:8080/hostname');
      const parsed = url === undefined ? undefined : fromRef(p, parseHttpUrl(url), [...path, 'url']);
      const host = optional(m, 'host', (x) => asString(p, x, [...path, 'host']));
      const method = optional(m, 'method', (x) => {
        const s = asString(p, x, [...path, 'method']);
        if (s !== undefined && !/^[A-Za-z]+$/.test(s)) {
          p.error([...path, 'method'], `expected an HTTP method such as GET or POST, got ${describeValue(s)}`);
          return undefined;
        }
        return s?.toUpperCase();
      }) ?? 'GET';
      if (url === undefined || !parsed) return undefined;
      return { kind, http: { url, target: parsed.target, port: parsed.port, path: parsed.path, ...def('host', host), method } };
    }
    case 'tcp':
    case 'udp': {
      checkKeys(p, m, path, ['host', 'port', 'address', 'send'], `${kind} field`);
      const tp = readTargetPort(p, m, path, kind);
      const send =
        kind === 'udp'
          ? required(p, m, 'send', path, (x) => asString(p, x, [...path, 'send']), 'the datagram to send, e.g. hostname')
          : optional(m, 'send', (x) => asString(p, x, [...path, 'send']));
      if (!tp) return undefined;
      if (kind === 'udp') return send === undefined ? undefined : { kind, udp: { ...tp, send } };
      return { kind, tcp: { ...tp, ...def('send', send) } };
    }
    case 'dns': {
      checkKeys(p, m, path, ['name', 'type'], 'dns field');
      const name = required(p, m, 'name', path, (x) => {
        const s = asString(p, x, [...path, 'name']);
        if (s !== undefined && (s === '' || s.length > 255 || !/^[A-Za-z0-9_*]?[-A-Za-z0-9_.*]*$/.test(s) || s.includes('..'))) {
          p.error([...path, 'name'], `expected a DNS name such as backend or backend.default.svc.cluster.local, got ${describeValue(s)}`);
          return undefined;
        }
        return s;
      }, 'the name to look up');
      const type = optional(m, 'type', (x) => {
        const s = typeof x === 'string' ? x.toUpperCase() : x;
        return asEnum(p, s, [...path, 'type'], DNS_QUERY_TYPES);
      }) ?? ('A' as DnsQueryType);
      return name === undefined ? undefined : { kind, dns: { name, type } };
    }
    case 'ping': {
      checkKeys(p, m, path, ['address', 'host', 'count', 'interval'], 'ping field');
      const a = field(m, 'address');
      const h = field(m, 'host');
      let target: HostTarget | undefined;
      if (a !== undefined && h !== undefined) p.error([...path, 'host'], 'give either address or host, not both', true);
      else if (a !== undefined) {
        const ip = asIpv4(p, a, [...path, 'address']);
        if (ip !== undefined) target = { kind: 'ip', ip };
      } else if (h !== undefined) {
        const s = asString(p, h, [...path, 'host']);
        if (s !== undefined) target = fromRef(p, parseHostTarget(s), [...path, 'host']);
      } else p.error(path, 'ping needs address (an IPv4 address) or host (a name or service:NAME)');
      const count = optional(m, 'count', (x) => asInt(p, x, [...path, 'count'], 1, 1_000_000)) ?? 1;
      const interval = optional(m, 'interval', (x) => asDuration(p, x, [...path, 'interval']));
      if (interval !== undefined && interval <= 0) p.error([...path, 'interval'], 'the interval between echo requests must be more than 0');
      return target ? { kind, ping: { target, count, ...(interval !== undefined && interval > 0 ? { interval } : {}) } } : undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Expectations

function readTrafficExpect(p: Problems, v: unknown, path: PathSeg[], kind: TrafficKind | undefined, repeat: number): TrafficExpect | undefined {
  const m = asMap(p, v, path, 'expectations (a mapping such as {status: 200})');
  if (!m) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(m)) {
    const kp = [...path, key];
    if (!(EXPECT_KEYS as string[]).includes(key)) {
      p.error(kp, `unknown expectation "${key}"${didYouMean(key, EXPECT_KEYS)}; expected one of ${EXPECT_KEYS.join(', ')}`, true);
      continue;
    }
    const k = key as keyof TrafficExpect;
    if (kind !== undefined && !EXPECT_APPLIES_TO[k].includes(kind)) {
      p.error(kp, `${k} does not apply to ${kind} traffic (it applies to ${EXPECT_APPLIES_TO[k].join(', ')})`, true);
      continue;
    }
    const val = field(m, key);
    if (val === undefined) {
      p.error(kp, `expected a value for ${k}`);
      continue;
    }
    const r = readExpectValue(p, k, val, kp);
    if (r !== undefined) out[k] = r;
  }
  const e = out as TrafficExpect;
  if (e.refused === true) {
    for (const k of ['status', 'body', 'servedBy', 'sameBackend', 'clientIP', 'spread'] as const) {
      if (e[k] !== undefined) p.error([...path, k], `${k} cannot be expected of a connection that is expected to be refused`, true);
    }
    if (e.timeout === true) p.error([...path, 'timeout'], 'a repeat cannot both be refused and time out', true);
  }
  if (e.timeout === true) {
    for (const k of ['status', 'body', 'servedBy', 'sameBackend', 'clientIP', 'spread', 'rcode', 'answers', 'records'] as const) {
      if (e[k] !== undefined) p.error([...path, k], `${k} cannot be expected of a request that is expected to time out`, true);
    }
  }
  if (e.spread !== undefined && repeat < 2) p.warn([...path, 'spread'], 'spread needs repeat > 1 to say anything', true);
  return e;
}

function readExpectValue(p: Problems, k: keyof TrafficExpect, v: unknown, path: PathSeg[]): unknown {
  switch (k) {
    case 'status':
      return asInt(p, v, path, 100, 599, 'an HTTP status code');
    case 'body':
      return readBody(p, v, path);
    case 'servedBy':
      return readServedBy(p, v, path);
    case 'spread': {
      const m = asMap(p, v, path, 'a mapping {min: 0.2}');
      if (!m) return undefined;
      checkKeys(p, m, path, ['min'], 'spread field');
      const min = required(p, m, 'min', path, (x) => asNumber(p, x, [...path, 'min'], 0, 1, 'a fraction'), 'the smallest share of repeats, 0–1');
      return min === undefined ? undefined : { min };
    }
    case 'sameBackend':
    case 'refused':
    case 'timeout':
      return asBool(p, v, path);
    case 'clientIP':
      return readClientIp(p, v, path);
    case 'rcode': {
      if (typeof v === 'number') {
        const n = asInt(p, v, path, 0, 10);
        return n === undefined ? undefined : RCODES[n];
      }
      const s = typeof v === 'string' ? v.toUpperCase() : v;
      return asEnum(p, s, path, RCODES);
    }
    case 'answers':
      return asStringList(p, typeof v === 'number' ? String(v) : v, path, true);
    case 'records':
      return readRecords(p, v, path);
    case 'hops': {
      const list = asStringList(p, v, path);
      if (!list) return undefined;
      list.forEach((s, i) => {
        if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s)) p.error([...path, i], `expected a node or client name, got ${describeValue(s)}`);
      });
      return list;
    }
    case 'dnat':
      return readDnat(p, v, path);
    case 'maxLatency':
      return asDuration(p, v, path);
  }
}

function readBody(p: Problems, v: unknown, path: PathSeg[]): BodyMatcher | undefined {
  const s = typeof v === 'number' ? String(v) : asString(p, v, path, 'a substring or /regex/');
  if (s === undefined) return undefined;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  if (m && s.length >= 2) {
    const [, source, flags] = m;
    try {
      new RegExp(source!, flags);
    } catch (e) {
      p.error(path, `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    return { kind: 'regex', source: source!, flags: flags! };
  }
  return { kind: 'substring', text: s };
}

function readServedBy(p: Problems, v: unknown, path: PathSeg[]): ServedByMatcher[] | undefined {
  const one = (x: unknown, xp: PathSeg[]): ServedByMatcher | undefined => {
    if (typeof x === 'string') {
      const pod = fromRef(p, parsePodRef(x), xp);
      return pod ? { kind: 'pod', pod } : undefined;
    }
    const m = asMap(p, x, xp, 'a pod name, {pod: NAME} or {selector: {...}}');
    if (!m) return undefined;
    checkKeys(p, m, xp, ['pod', 'selector'], 'servedBy field');
    const hasPod = field(m, 'pod') !== undefined;
    const hasSel = field(m, 'selector') !== undefined;
    if (hasPod === hasSel) {
      p.error(xp, 'servedBy needs exactly one of pod or selector');
      return undefined;
    }
    if (hasPod) {
      const s = asString(p, field(m, 'pod'), [...xp, 'pod']);
      const pod = s === undefined ? undefined : fromRef(p, parsePodRef(s), [...xp, 'pod']);
      return pod ? { kind: 'pod', pod } : undefined;
    }
    const selector = asStringMap(p, field(m, 'selector'), [...xp, 'selector']);
    if (selector && Object.keys(selector).length === 0) {
      p.error([...xp, 'selector'], 'an empty selector would match every pod; name at least one label');
      return undefined;
    }
    return selector ? { kind: 'selector', selector } : undefined;
  };
  if (Array.isArray(v)) {
    if (v.length === 0) {
      p.error(path, 'expected at least one pod or selector');
      return undefined;
    }
    const out: ServedByMatcher[] = [];
    v.forEach((x, i) => {
      const r = one(x, [...path, i]);
      if (r) out.push(r);
    });
    return out.length === v.length ? out : undefined;
  }
  const r = one(v, path);
  return r ? [r] : undefined;
}

function readAddressList(p: Problems, v: unknown, path: PathSeg[]): AddressValue[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  const out: AddressValue[] = [];
  list.forEach((x, i) => {
    const xp = Array.isArray(v) ? [...path, i] : path;
    const s = asString(p, x, xp, 'an IPv4 address or pod/NAME, node/NAME, client/NAME');
    if (s === undefined) return;
    const a = fromRef(p, parseAddressValue(s), xp);
    if (a) out.push(a);
  });
  return out.length === list.length ? out : undefined;
}

function readClientIp(p: Problems, v: unknown, path: PathSeg[]): ClientIpExpect | undefined {
  if (isMapping(v)) {
    checkKeys(p, v, path, ['not'], 'clientIP field');
    const n = field(v, 'not');
    if (n === undefined) {
      p.error(path, 'expected an address, a list, or {not: ADDRESS}');
      return undefined;
    }
    const values = readAddressList(p, n, [...path, 'not']);
    return values ? { not: true, values } : undefined;
  }
  const values = readAddressList(p, v, path);
  return values ? { not: false, values } : undefined;
}

function readDnat(p: Problems, v: unknown, path: PathSeg[]): DnatExpect | undefined {
  if (v === false || v === 'none') return { none: true };
  if (typeof v === 'string') {
    const parts = v.split(/\s*(?:->|→|=>)\s*/);
    if (parts.length > 2) {
      p.error(path, `expected "FROM -> TO" or "TO", got ${describeValue(v)}`);
      return undefined;
    }
    const to = fromRef(p, parseAddressPort(parts[parts.length - 1]!), path);
    const from = parts.length === 2 ? fromRef(p, parseAddressPort(parts[0]!), path) : undefined;
    if (!to || (parts.length === 2 && !from)) return undefined;
    return { none: false, ...def('from', from), to };
  }
  const m = asMap(p, v, path, '"FROM -> TO", {from, to}, or false');
  if (!m) return undefined;
  checkKeys(p, m, path, ['from', 'to'], 'dnat field');
  const read = (k: 'from' | 'to'): AddressPort | undefined =>
    optional(m, k, (x) => {
      const s = typeof x === 'string' ? x : asString(p, x, [...path, k], 'an address such as 10.96.0.5:80');
      return s === undefined ? undefined : fromRef(p, parseAddressPort(s), [...path, k]);
    });
  const from = read('from');
  const to = read('to');
  if (field(m, 'from') === undefined && field(m, 'to') === undefined) {
    p.error(path, 'expected from, to, or both');
    return undefined;
  }
  return { none: false, ...def('from', from), ...def('to', to) };
}

function readRecords(p: Problems, v: unknown, path: PathSeg[]): DnsRecordExpect[] | undefined {
  const list = asList(p, v, path, 'a list of records');
  if (!list) return undefined;
  const out: DnsRecordExpect[] = [];
  list.forEach((x, i) => {
    const xp = [...path, i];
    if (typeof x === 'string') {
      // "NAME [TTL] [IN] TYPE DATA…", as dig prints an answer line.
      const t = x.trim().split(/\s+/);
      let j = 1;
      let ttl: number | undefined;
      if (t[j] !== undefined && /^\d+$/.test(t[j]!)) ttl = Number(t[j++]);
      if (t[j] === 'IN') j++;
      const type = t[j];
      if (t.length < 2 || type === undefined || !/^[A-Za-z][A-Za-z0-9]*$/.test(type)) {
        p.error(xp, `expected a record such as "backend.default.svc.cluster.local. 30 IN A 10.96.0.5", got ${describeValue(x)}`);
        return;
      }
      const data = t.slice(j + 1).join(' ');
      out.push({ name: t[0]!, ...def('ttl', ttl), type: type.toUpperCase(), ...(data !== '' ? { data } : {}) });
      return;
    }
    const m = asMap(p, x, xp, 'a record: "NAME TTL IN TYPE DATA" or {name, ttl, type, data}');
    if (!m) return;
    checkKeys(p, m, xp, ['name', 'ttl', 'type', 'data'], 'record field');
    const name = optional(m, 'name', (y) => asString(p, y, [...xp, 'name']));
    const ttl = optional(m, 'ttl', (y) => asInt(p, y, [...xp, 'ttl'], 0, 2147483647));
    const type = optional(m, 'type', (y) => asString(p, y, [...xp, 'type'])?.toUpperCase());
    const data = optional(m, 'data', (y) => (typeof y === 'number' ? String(y) : asString(p, y, [...xp, 'data'])));
    out.push({ ...def('name', name), ...def('ttl', ttl), ...def('type', type), ...def('data', data) });
  });
  return out;
}

function readScenarioExpectation(p: Problems, v: unknown, path: PathSeg[]): ScenarioExpectation | undefined {
  const m = asMap(p, v, path, 'an expectation {endpoints: ...} or {rule: ...}');
  if (!m) return undefined;
  const before = p.errorCount;
  checkKeys(p, m, path, ['name', 'at', 'endpoints', 'rule'], 'expectation');
  const name = optional(m, 'name', (x) => asString(p, x, [...path, 'name']));
  const at = optional(m, 'at', (x) => asDuration(p, x, [...path, 'at']));
  const kinds = (['endpoints', 'rule'] as const).filter((k) => Object.prototype.hasOwnProperty.call(m, k));
  if (kinds.length !== 1) {
    if (kinds.length === 0) p.error(path, 'a scenario-wide expectation needs endpoints or rule');
    else p.error([...path, 'rule'], 'only one of endpoints or rule per expectation; split it into two', true);
    return undefined;
  }
  const common = { ...def('name', name), ...def('at', at) };
  if (kinds[0] === 'endpoints') {
    const ep = [...path, 'endpoints'];
    const em = asMap(p, field(m, 'endpoints'), ep, 'a mapping {service, addresses}');
    if (!em) return undefined;
    checkKeys(p, em, ep, ['service', 'addresses'], 'endpoints field');
    const service = required(p, em, 'service', ep, (x) => {
      const s = asString(p, x, [...ep, 'service']);
      if (s === undefined) return undefined;
      const text = s.startsWith('service:') ? s.slice('service:'.length) : s;
      return fromRef(p, parseNamespacedRef('service', text), [...ep, 'service']);
    }, 'the Service name (NAME or NAMESPACE/NAME)');
    const addrV = Object.prototype.hasOwnProperty.call(em, 'addresses') ? (em['addresses'] ?? []) : undefined;
    let addresses: AddressPort[] | undefined;
    if (addrV === undefined) p.error([...ep, 'addresses'], 'missing required field (the expected endpoint addresses; [] for none)');
    else {
      const list = asList(p, addrV, [...ep, 'addresses']);
      if (list) {
        addresses = [];
        list.forEach((x, i) => {
          const s = asString(p, x, [...ep, 'addresses', i], 'an address such as 10.2.1.4 or 10.2.1.4:8080');
          const a = s === undefined ? undefined : fromRef(p, parseAddressPort(s), [...ep, 'addresses', i]);
          if (a) addresses!.push(a);
        });
      }
    }
    if (p.errorCount > before || !service || !addresses) return undefined;
    return { kind: 'endpoints', ...common, endpoints: { service, addresses } };
  }
  const rp = [...path, 'rule'];
  const rm = asMap(p, field(m, 'rule'), rp, 'a mapping {node, table, matches}');
  if (!rm) return undefined;
  checkKeys(p, rm, rp, ['node', 'table', 'matches'], 'rule field');
  const node = required(p, rm, 'node', rp, (x) => asString(p, x, [...rp, 'node']), 'the node whose rules to search');
  const table = optional(rm, 'table', (x) => asEnum(p, x, [...rp, 'table'], ['filter', 'nat', 'mangle', 'raw'] as const)) ?? ('nat' as IptablesTable);
  const matches = required(p, rm, 'matches', rp, (x) => {
    const s = asString(p, x, [...rp, 'matches'], 'a regular expression');
    if (s === undefined) return undefined;
    try {
      new RegExp(s);
    } catch (e) {
      p.error([...rp, 'matches'], `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    return s;
  }, 'a regular expression over iptables-save lines');
  if (p.errorCount > before || node === undefined || matches === undefined) return undefined;
  return { kind: 'rule', ...common, rule: { node, table, matches } };
}

// ---------------------------------------------------------------------------------------------
// Faults

function readFault(p: Problems, v: unknown, path: PathSeg[]): Fault | undefined {
  const m = asMap(p, v, path, `a fault such as {at: 20ms, deletePod: NAME}`);
  if (!m) return undefined;
  const before = p.errorCount;
  checkKeys(p, m, path, ['at', ...FAULT_KINDS], 'fault field');
  const at = required(p, m, 'at', path, (x) => asDuration(p, x, [...path, 'at']), 'when the fault happens, e.g. 20ms');
  const kinds = FAULT_KINDS.filter((k) => Object.prototype.hasOwnProperty.call(m, k));
  if (kinds.length === 0) {
    p.error(path, `a fault needs one of ${FAULT_KINDS.join(', ')}`);
    return undefined;
  }
  for (const extra of kinds.slice(1)) p.error([...path, extra], `only one action per fault: this one also has ${kinds[0]}; split it into two faults`, true);
  if (kinds.length > 1) return undefined;
  const kind = kinds[0]!;
  const kp = [...path, kind];
  const val = field(m, kind);
  let fault: Fault | undefined;
  const nodeName = (x: unknown, xp: PathSeg[]): string | undefined => {
    const s = asString(p, x, xp, 'a node name');
    if (s === undefined) return undefined;
    const name = s.startsWith('node/') ? s.slice(5) : s;
    if (!isObjectName(name)) {
      p.error(xp, `"${s}" is not a valid node name`);
      return undefined;
    }
    return name;
  };
  switch (kind) {
    case 'deletePod': {
      const s = asString(p, val, kp, 'a pod: NAME or NAMESPACE/NAME');
      const pod = s === undefined ? undefined : fromRef(p, parsePodRef(s), kp);
      if (pod && at !== undefined) fault = { kind, at, pod };
      break;
    }
    case 'setReady': {
      const sm = asMap(p, val, kp, 'a mapping {pod, ready}');
      if (!sm) break;
      checkKeys(p, sm, kp, ['pod', 'ready'], 'setReady field');
      const pod = required(p, sm, 'pod', kp, (x) => {
        const s = asString(p, x, [...kp, 'pod']);
        return s === undefined ? undefined : fromRef(p, parsePodRef(s), [...kp, 'pod']);
      }, 'the pod: NAME or NAMESPACE/NAME');
      const ready = required(p, sm, 'ready', kp, (x) => asBool(p, x, [...kp, 'ready']), 'true or false');
      if (pod && ready !== undefined && at !== undefined) fault = { kind, at, pod, ready };
      break;
    }
    case 'nodeDown':
    case 'nodeUp': {
      const node = nodeName(val, kp);
      if (node !== undefined && at !== undefined) fault = { kind, at, node };
      break;
    }
    case 'link': {
      const lm = asMap(p, val, kp, 'a mapping {node, loss, latency}');
      if (!lm) break;
      checkKeys(p, lm, kp, ['node', 'loss', 'latency', 'bandwidth'], 'link field');
      const node = required(p, lm, 'node', kp, (x) => nodeName(x, [...kp, 'node']), 'the node whose link changes');
      const loss = optional(lm, 'loss', (x) => asNumber(p, x, [...kp, 'loss'], 0, 1, 'a loss fraction'));
      const latency = optional(lm, 'latency', (x) => asDuration(p, x, [...kp, 'latency']));
      const bandwidth = optional(lm, 'bandwidth', (x) => asBandwidth(p, x, [...kp, 'bandwidth']));
      if (field(lm, 'loss') === undefined && field(lm, 'latency') === undefined && field(lm, 'bandwidth') === undefined) {
        p.error(kp, 'a link fault needs loss, latency or bandwidth');
      }
      if (node !== undefined && at !== undefined) fault = { kind, at, node, ...def('loss', loss), ...def('latency', latency), ...def('bandwidth', bandwidth) };
      break;
    }
    case 'scale': {
      const sm = asMap(p, val, kp, 'a mapping {deployment: NAME, replicas: N}');
      if (!sm) break;
      checkKeys(p, sm, kp, ['deployment', 'statefulset', 'replicas'], 'scale field');
      const which = (['deployment', 'statefulset'] as const).filter((k) => Object.prototype.hasOwnProperty.call(sm, k));
      let target: ObjectRef<'deployment' | 'statefulset'> | undefined;
      if (which.length !== 1) p.error(kp, 'scale needs exactly one of deployment or statefulset');
      else {
        const w = which[0]!;
        const s = asString(p, field(sm, w), [...kp, w], `a ${w}: NAME or NAMESPACE/NAME`);
        target = s === undefined ? undefined : fromRef(p, parseNamespacedRef(w, s), [...kp, w]);
      }
      const replicas = required(p, sm, 'replicas', kp, (x) => asInt(p, x, [...kp, 'replicas'], 0, 10000), 'the new replica count');
      if (target && replicas !== undefined && at !== undefined) fault = { kind, at, target, replicas };
      break;
    }
  }
  return p.errorCount > before ? undefined : fault;
}

// ---------------------------------------------------------------------------------------------
// References against the cluster

/** The Services kubeadm creates in every cluster, which files may reference without declaring. */
const BUILTIN_SERVICES = ['default/kubernetes', 'kube-system/kube-dns'];

/**
 * Checks that the pods, workloads, nodes, clients and Services a valid Scenario names exist,
 * given the objects after expansion (pods created for workloads, Nodes, Services). Reports
 * each unknown name at its place in the Scenario document; a reference without a namespace
 * means namespace "default".
 */
export function checkReferences(scenario: Scenario, objects: readonly K8sObject[], positions: PositionIndex): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const scenarioKey: ObjectKey = { kind: 'Scenario', name: scenario.metadata.name };
  const byKind = new Map<string, Set<string>>();
  const add = (kind: string, key: string): void => {
    let set = byKind.get(kind);
    if (!set) byKind.set(kind, (set = new Set()));
    set.add(key);
  };
  for (const o of objects) {
    const ns = o.metadata.namespace === undefined || o.metadata.namespace === '' ? 'default' : o.metadata.namespace;
    const kind = o.kind.toLowerCase();
    add(kind, kind === 'node' || kind === 'namespace' ? o.metadata.name : `${ns}/${o.metadata.name}`);
  }
  for (const n of clusterNodes(scenario.spec.cluster)) add('node', n.name);
  for (const c of scenario.spec.clients) add('client', c.name);
  for (const s of BUILTIN_SERVICES) add('service', s);

  const report = (path: PathSeg[], kind: string, key: string, shown: string): void => {
    const known = [...(byKind.get(kind) ?? [])];
    const hint = suggest(key, known);
    const list = known.length === 0 ? `there are no ${kind}s` : hint !== undefined ? `did you mean ${hint}?` : `known: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''}`;
    const pos = positions.locate(scenarioKey, path);
    problems.push({
      file: positions.fileName,
      line: pos.line,
      column: pos.column,
      docIndex: pos.docIndex,
      object: `Scenario ${scenario.metadata.name}`,
      path: formatPath(path),
      message: `${shown} not found (${list})`,
      severity: 'error',
    });
  };
  const check = (path: PathSeg[], ref: ObjectRef): void => {
    const kind = ref.kind;
    const clusterScoped = kind === 'node' || kind === 'client';
    const key = clusterScoped ? ref.name : `${ref.namespace ?? 'default'}/${ref.name}`;
    if (!(byKind.get(kind)?.has(key) ?? false)) report(path, kind, key, `${kind} ${key}`);
  };
  const checkTarget = (path: PathSeg[], t: HostTarget): void => {
    if (t.kind === 'service') check(path, t.service);
  };
  const checkAddress = (path: PathSeg[], a: AddressValue | undefined): void => {
    if (a?.kind === 'ref') check(path, a.ref);
  };

  scenario.spec.traffic.forEach((t, i) => {
    const base: PathSeg[] = ['spec', 'traffic', i];
    check([...base, 'from'], t.from);
    switch (t.kind) {
      case 'http':
        checkTarget([...base, 'http', 'url'], t.http.target);
        break;
      case 'tcp':
        checkTarget([...base, 'tcp'], t.tcp.target);
        break;
      case 'udp':
        checkTarget([...base, 'udp'], t.udp.target);
        break;
      case 'ping':
        checkTarget([...base, 'ping'], t.ping.target);
        break;
      case 'dns':
        break;
    }
    const e = t.expect;
    if (!e) return;
    e.servedBy?.forEach((s, j) => {
      if (s.kind === 'pod') check(e.servedBy!.length === 1 ? [...base, 'expect', 'servedBy'] : [...base, 'expect', 'servedBy', j], s.pod);
    });
    e.clientIP?.values.forEach((a) => checkAddress([...base, 'expect', 'clientIP'], a));
    if (e.dnat && !e.dnat.none) {
      checkAddress([...base, 'expect', 'dnat'], e.dnat.from?.address);
      checkAddress([...base, 'expect', 'dnat'], e.dnat.to?.address);
    }
    e.hops?.forEach((h, j) => {
      const isNode = byKind.get('node')?.has(h) ?? false;
      const isClient = byKind.get('client')?.has(h) ?? false;
      if (!isNode && !isClient) report([...base, 'expect', 'hops', j], 'node', h, `node ${h}`);
    });
  });
  scenario.spec.faults.forEach((f, i) => {
    const base: PathSeg[] = ['spec', 'faults', i];
    switch (f.kind) {
      case 'deletePod':
        check([...base, 'deletePod'], f.pod);
        break;
      case 'setReady':
        check([...base, 'setReady', 'pod'], f.pod);
        break;
      case 'nodeDown':
      case 'nodeUp':
        check([...base, f.kind], { kind: 'node', name: f.node });
        break;
      case 'link':
        check([...base, 'link', 'node'], { kind: 'node', name: f.node });
        break;
      case 'scale':
        check([...base, 'scale', f.target.kind], f.target);
        break;
    }
  });
  scenario.spec.expect.forEach((e, i) => {
    const base: PathSeg[] = ['spec', 'expect', i];
    if (e.kind === 'endpoints') {
      check([...base, 'endpoints', 'service'], e.endpoints.service);
      e.endpoints.addresses.forEach((a, j) => checkAddress([...base, 'endpoints', 'addresses', j], a.address));
    } else check([...base, 'rule', 'node'], { kind: 'node', name: e.rule.node });
  });
  return problems;
}
