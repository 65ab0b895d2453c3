/**
 * The records CoreDNS's `kubernetes` plugin serves for a cluster, as a {@link RecordSource}
 * for the DNS server program. Behaviour follows shared/docs/cluster-dns.md; section numbers
 * below (§n) point there.
 *
 * The lookup is organised like the plugin so that its quirks fall out of the same steps
 * rather than being special-cased:
 *
 * 1. match the question to the longest plugin zone (else: not ours, forward it);
 * 2. per query type, ask `services()` (the plugin's backend lookup) for candidate entries,
 *    each an address or a name plus a port, a TTL and the domain it lives at;
 * 3. turn the entries into RRs for that type (A/AAAA dedupe, SRV weights, CNAME chasing);
 * 4. a name error becomes NXDOMAIN (or falls through), no records becomes NODATA, both
 *    with the zone SOA in the authority section (§4).
 *
 * Objects are taken as the control plane left them: ClusterIPs allocated, EndpointSlices
 * generated with their `ready` conditions (the EndpointSlice controller already applied
 * publishNotReadyAddresses and terminating rules, §3.3), hostnames set (§3.4).
 */
import type { DnsAnswer, DnsClient, RecordSource } from '../../apps/record-source.ts';
import { DNS_CLASS, DNS_RCODE, DNS_TYPE, type DnsQuestion, type DnsRecord } from '../../wire/dns.ts';
import { LABEL_SERVICE_NAME, namespaceOf, type EndpointSlice, type Namespace, type Pod, type Service } from '../model/index.ts';
import { addressFromReverseName, canonicalIp, parseGoIp, type GoIp } from './ip.ts';

/** The `pods` option (§3.6): how `a-b-c-d.<ns>.pod.<zone>` names are answered. */
export type PodsMode = 'disabled' | 'insecure' | 'verified';

/** The kubernetes plugin's Corefile settings (§1); every field is optional, defaults as kubeadm writes them. */
export interface ClusterDnsConfig {
  /** The cluster domain, the plugin's primary zone (default "cluster.local"). */
  readonly zone?: string;
  /** Answer TTL in seconds, 0–3600 (default 30 as in kubeadm's Corefile; the plugin's own default is 5). */
  readonly ttl?: number;
  /** Pod records (default "insecure" as kubeadm; the plugin's own default is "disabled"). */
  readonly pods?: PodsMode;
  /** Further zones on the `kubernetes` line, e.g. reverse zones (default kubeadm's ["in-addr.arpa", "ip6.arpa"]). */
  readonly zones?: readonly string[];
  /** `fallthrough`: true = every zone, a list = names under those zones, false = none (default kubeadm's reverse zones). */
  readonly fallthrough?: boolean | readonly string[];
  /** `ignore empty_service`: ClusterIP services without ready endpoints are NXDOMAIN (default false). */
  readonly ignoreEmptyService?: boolean;
  /** `namespaces`: only these namespaces are exposed (default: all). */
  readonly namespaces?: readonly string[];
  /** `endpoint_pod_names`: endpoints without a hostname are named after their pod (default false). */
  readonly endpointPodNames?: boolean;
  /**
   * The answering CoreDNS pod's own addresses, for the apex NS record (§3.7). Default: the
   * first ready endpoint address of kube-system/kube-dns.
   */
  readonly serverIps?: readonly string[];
}

/** The Corefile kubeadm installs (§1): ttl 30, pods insecure, reverse zones with fallthrough. */
export const KUBEADM_DNS_CONFIG = Object.freeze({
  zone: 'cluster.local',
  ttl: 30,
  pods: 'insecure',
  zones: Object.freeze(['in-addr.arpa', 'ip6.arpa']),
  fallthrough: Object.freeze(['in-addr.arpa', 'ip6.arpa']),
  ignoreEmptyService: false,
} as const satisfies ClusterDnsConfig);

/** A bare `kubernetes cluster.local` line: the plugin's own defaults (§1: ttl 5, pods disabled, no fallthrough). */
export const PLUGIN_DEFAULT_DNS_CONFIG = Object.freeze({
  zone: 'cluster.local',
  ttl: 5,
  pods: 'disabled',
  zones: Object.freeze([] as string[]),
  fallthrough: false,
  ignoreEmptyService: false,
} as const satisfies ClusterDnsConfig);

/** The API objects the plugin watches, as the control plane filled them in. */
export interface ClusterDnsObjects {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly pods: readonly Pod[];
  readonly namespaces: readonly Namespace[];
  /** Whether the plugin has synced with the API; name errors are SERVFAIL until then (§4). Default true. */
  readonly synced?: boolean;
  /**
   * Unix time (seconds) of the last API change: the SOA serial (§4). Default: the previous
   * serial + 1 on update, {@link DEFAULT_SOA_SERIAL} at construction.
   */
  readonly modified?: number;
}

/** What {@link ClusterDnsRecords} is built from. */
export interface ClusterDnsInit extends ClusterDnsObjects {
  readonly config?: ClusterDnsConfig;
  /**
   * The resolver behind CoreDNS (`forward . /etc/resolv.conf`), asked for out-of-cluster
   * ExternalName targets (§3.5). A null answer means the lookup failed. Without one, such
   * targets are treated as unknown upstream (NXDOMAIN).
   */
  readonly upstream?: RecordSource;
}

/** The SOA serial used when no API change time is given: 2025-01-01T00:00:00Z (the engine reads no clock). */
export const DEFAULT_SOA_SERIAL = 1_735_689_600;

/** The schema version `dns-version.<zone>` TXT answers (§3.7). */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** The fixed TTL of the `dns-version` TXT record (§3.7). */
export const DNS_VERSION_TTL = 28800;

/** SOA refresh, retry and expire as CoreDNS writes them (§4). */
const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;
/** The SOA record's own TTL is min(ttl, 300) (§4). */
const SOA_TTL_CAP = 300;

/**
 * CNAME chasing stops adding CNAMEs once more than 7 are already in the chain, so a chain
 * holds at most 8 (code, backend_lookup.go; §3.5 says "chain limit 10", see the report).
 */
const MAX_PREVIOUS_CNAMES = 7;
/** Guards re-entrant lookups through the whole server (ExternalName → other zone → …). */
const MAX_SERVER_DEPTH = 8;

// ---------------------------------------------------------------------------------------------
// The plugin's view of the objects

interface PortInfo {
  readonly name: string;
  readonly protocol: string;
  /** -1 marks "no ports" (§3.1): the entry exists for A/AAAA but SRV skips it. */
  readonly port: number;
}

/** The sentinel port list of an object without ports (§3.1, §3.2). */
const NO_PORTS: readonly PortInfo[] = Object.freeze([{ name: '', protocol: '', port: -1 }]);

interface SvcInfo {
  readonly name: string;
  readonly namespace: string;
  readonly external: boolean;
  readonly externalName: string;
  readonly headless: boolean;
  readonly clusterIPs: readonly string[];
  readonly ports: readonly PortInfo[];
}

interface EpAddress {
  readonly ip: string;
  /** The endpoint name (§3.2): slice hostname, pod name (endpoint_pod_names) or dashed IP. */
  readonly hostname: string;
}

/** One EndpointSlice, reduced to its ready addresses (§3.3). */
interface EpSet {
  readonly namespace: string;
  readonly service: string;
  readonly ports: readonly PortInfo[];
  readonly addresses: readonly EpAddress[];
}

/** A candidate answer: an address or a name (CNAME target), or TXT text, at domain `name`. */
interface Entry {
  readonly host: string;
  readonly port: number;
  readonly ttl: number;
  /** The domain the entry lives at: SRV target, NS name (question case for the zone, §5.4). */
  readonly name: string;
  readonly text?: string;
}

/** A backend lookup result; `nameError` stands for CoreDNS's errNoItems/errNsNotExposed/errInvalidRequest. */
interface Found {
  readonly entries: readonly Entry[];
  readonly nameError: boolean;
}

const NAME_ERROR: Found = Object.freeze({ entries: Object.freeze([]), nameError: true });
const NO_ENTRIES: Found = Object.freeze({ entries: Object.freeze([]), nameError: false });

interface RecordsResult {
  readonly records: readonly DnsRecord[];
  readonly extra: readonly DnsRecord[];
  readonly nameError: boolean;
}

/** A question name below a matched zone. */
interface Req {
  /** The name as asked (owner of every answer RR, §5.4). */
  readonly qname: string;
  /** Lower-cased (CoreDNS's `state.Name()`). */
  readonly lower: string;
  /** Lower-cased labels below the zone, leftmost first. */
  readonly base: readonly string[];
}

/** Per-question context: the zone as spelled in the question (§5.4) and who asked. */
interface Ctx {
  readonly zoneQ: string;
  readonly zoneLabels: number;
  readonly client: DnsClient;
  readonly depth: number;
}

interface ParsedName {
  readonly podOrSvc: '' | 'svc' | 'pod';
  readonly namespace: string;
  readonly service: string;
  readonly endpoint: string;
  readonly port: string;
  readonly protocol: string;
}

interface ZoneInfo {
  /** Lower case with trailing dot. */
  readonly name: string;
  readonly labels: readonly string[];
}

interface ResolvedConfig {
  readonly primaryZone: string;
  readonly zones: readonly ZoneInfo[];
  readonly ttl: number;
  readonly pods: PodsMode;
  readonly fallthrough: readonly ZoneInfo[];
  readonly ignoreEmptyService: boolean;
  readonly namespaces: ReadonlySet<string> | null;
  readonly endpointPodNames: boolean;
  readonly serverIps: readonly string[] | null;
}

// ---------------------------------------------------------------------------------------------
// Names

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Splits a presentation name into its labels (escapes kept verbatim, so "\." stays inside a label). */
function splitLabels(name: string): string[] {
  const labels: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\') {
      const digits = /^\d{3}/.exec(name.slice(i + 1, i + 4));
      const len = digits ? 4 : 2;
      cur += name.slice(i, i + len);
      i += len - 1;
    } else if (c === '.') {
      if (cur !== '') labels.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') labels.push(cur);
  return labels;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function zoneInfo(text: string): ZoneInfo {
  const labels = splitLabels(lowerAscii(text.trim()));
  return { name: labels.length === 0 ? '.' : `${labels.join('.')}.`, labels };
}

/** Whether `labels` (lower case) end with `suffix`. */
function endsWithLabels(labels: readonly string[], suffix: readonly string[]): boolean {
  if (suffix.length > labels.length) return false;
  const off = labels.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (labels[off + i] !== suffix[i]) return false;
  return true;
}

function isSubdomainName(child: string, parent: string): boolean {
  return endsWithLabels(splitLabels(lowerAscii(child)), splitLabels(lowerAscii(parent)));
}

/** strings.EqualFold for the ASCII names involved here. */
function eqFold(a: string, b: string): boolean {
  return lowerAscii(a) === lowerAscii(b);
}

/** Port and protocol labels are filters; an empty one matches anything (§2.5). */
function matchPortAndProtocol(qPort: string, port: string, qProto: string, proto: string): boolean {
  return (qPort === '' || eqFold(qPort, port)) && (qProto === '' || eqFold(qProto, proto));
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/**
 * Splits the labels below the zone (§2): `[x.][y.]<a>.<b>.<svc|pod>`. Null means a name
 * error (wrong second-level label, or three or more extra labels).
 */
function parseName(base: readonly string[]): ParsedName | null {
  const empty: ParsedName = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  // §2.1: the apex, `svc` or `pod` alone exist without data.
  if (base.length === 0 || (base.length === 1 && (base[0] === 'svc' || base[0] === 'pod'))) return empty;
  const last = base.length - 1;
  const podOrSvc = base[last];
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return null;
  const namespace = base[last - 1] ?? '';
  const service = base[last - 2] ?? '';
  const rest = Math.max(0, base.length - 3);
  if (rest >= 3) return null;
  return {
    podOrSvc,
    namespace,
    service,
    endpoint: rest === 1 ? base[0]! : '',
    port: rest === 2 ? stripUnderscore(base[0]!) : '',
    protocol: rest === 2 ? stripUnderscore(base[1]!) : '',
  };
}

/**
 * The endpoint name (§3.2): the slice's hostname, else (endpoint_pod_names) the pod name if
 * shorter than 64, else the address with '.'/':' turned into '-' (a trailing '-' gets a '0').
 */
function endpointHostname(hostname: string | undefined, podName: string | undefined, ip: string, podNames: boolean): string {
  if (hostname) return lowerAscii(hostname);
  if (podNames && podName && podName.length < 64) return lowerAscii(podName);
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  if (ip.includes(':')) {
    const dashed = lowerAscii(ip.replaceAll(':', '-'));
    return dashed.endsWith('-') ? `${dashed}0` : dashed;
  }
  return '';
}

type HostType = { readonly kind: 'ip'; readonly ip: GoIp } | { readonly kind: 'name' } | { readonly kind: 'txt' };

/** What an entry's host is, as CoreDNS's HostType decides it (Go's ParseIP). */
function hostType(e: Entry): HostType {
  const ip = parseGoIp(e.host);
  if (ip !== null) return { kind: 'ip', ip };
  return e.text !== undefined ? { kind: 'txt' } : { kind: 'name' };
}

function addressRecord(name: string, ttl: number, ip: GoIp): DnsRecord {
  return ip.family === 4
    ? { name, type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl, data: { kind: 'A', address: ip.v4 } }
    : { name, type: DNS_TYPE.AAAA, class: DNS_CLASS.IN, ttl, data: { kind: 'AAAA', address: ip.bytes } };
}

// ---------------------------------------------------------------------------------------------
// The record source

/**
 * CoreDNS's kubernetes plugin over a set of API objects: a {@link RecordSource} that answers
 * names under its zones and returns null for everything else (and for name errors that
 * fall through), so the server forwards those upstream.
 */
export class ClusterDnsRecords implements RecordSource {
  private readonly cfg: ResolvedConfig;
  private readonly upstream: RecordSource | undefined;
  private svcByKey = new Map<string, SvcInfo[]>();
  private epByKey = new Map<string, EpSet[]>();
  private svcByIp = new Map<string, SvcInfo[]>();
  private epByIp = new Map<string, EpSet[]>();
  private podsByIp = new Map<string, string[]>();
  private namespaces = new Set<string>();
  private synced = true;
  private soaSerial = DEFAULT_SOA_SERIAL;
  private serverIps: readonly string[] = [];

  /** Builds the plugin state. Throws RangeError for a TTL outside 0–3600 (§1). */
  constructor(init: ClusterDnsInit) {
    this.cfg = resolveConfig(init.config ?? {});
    this.upstream = init.upstream;
    this.load(init, init.modified ?? DEFAULT_SOA_SERIAL);
  }

  /** Swaps in new objects (faults change endpoints at runtime); the SOA serial moves on (§4). */
  update(objects: ClusterDnsObjects): void {
    this.load(objects, objects.modified ?? this.soaSerial + 1);
  }

  /** The current SOA serial. */
  get serial(): number {
    return this.soaSerial;
  }

  /** The answer to `question`, or null when the name is not in the plugin's zones or falls through (§4). */
  lookup(question: DnsQuestion, client: DnsClient): DnsAnswer | null {
    return this.serve(question, client, 0);
  }

  // -------------------------------------------------------------------------------------------
  // Indexes

  private load(objects: ClusterDnsObjects, serial: number): void {
    this.synced = objects.synced ?? true;
    this.soaSerial = serial >>> 0;
    this.namespaces = new Set(objects.namespaces.map((n) => lowerAscii(n.metadata.name)));

    const svcByKey = new Map<string, SvcInfo[]>();
    const svcByIp = new Map<string, SvcInfo[]>();
    for (const s of objects.services) {
      const info = toSvcInfo(s);
      push(svcByKey, `${info.namespace}/${info.name}`, info);
      if (!info.external && !info.headless) for (const ip of info.clusterIPs) push(svcByIp, ip, info);
    }

    const epByKey = new Map<string, EpSet[]>();
    const epByIp = new Map<string, EpSet[]>();
    for (const sl of objects.endpointSlices) {
      const ep = toEpSet(sl, this.cfg.endpointPodNames);
      if (ep === null) continue;
      push(epByKey, `${ep.namespace}/${ep.service}`, ep);
      const seen = new Set<string>();
      for (const a of ep.addresses) {
        if (seen.has(a.ip)) continue;
        seen.add(a.ip);
        push(epByIp, a.ip, ep);
      }
    }

    const podsByIp = new Map<string, string[]>();
    for (const p of objects.pods) {
      const ip = p.status?.podIP;
      // Terminating pods are dropped from the plugin's pod cache.
      if (ip === undefined || ip === '' || p.metadata.deletionTimestamp !== undefined) continue;
      push(podsByIp, ip, lowerAscii(namespaceOf(p.metadata)));
    }

    this.svcByKey = svcByKey;
    this.svcByIp = svcByIp;
    this.epByKey = epByKey;
    this.epByIp = epByIp;
    this.podsByIp = podsByIp;
    this.serverIps = this.cfg.serverIps ?? (epByKey.get('kube-system/kube-dns') ?? []).flatMap((e) => e.addresses.map((a) => a.ip)).slice(0, 1);
  }

  // -------------------------------------------------------------------------------------------
  // The handler (§4 decision table)

  private serve(question: DnsQuestion, client: DnsClient, depth: number): DnsAnswer | null {
    const qname = fqdn(question.name);
    const labels = splitLabels(qname);
    const lowerLabels = labels.map(lowerAscii);
    let zone: ZoneInfo | null = null;
    for (const z of this.cfg.zones) {
      if (endsWithLabels(lowerLabels, z.labels) && (zone === null || z.labels.length > zone.labels.length)) zone = z;
    }
    if (zone === null) return null;
    const k = zone.labels.length;
    const zoneLabels = labels.slice(labels.length - k);
    // The zone as spelled in the question (§5.4).
    const zoneQ = k === 0 ? '.' : `${zoneLabels.join('.')}.`;
    const ctx: Ctx = { zoneQ, zoneLabels: k, client, depth };
    const req: Req = { qname, lower: lowerAscii(qname), base: lowerLabels.slice(0, labels.length - k) };

    let result: RecordsResult;
    switch (question.type) {
      case DNS_TYPE.AXFR:
      case 251 /* IXFR */:
        // No transfer plugin: REFUSED, written by the server without AA or SOA (§4).
        return { rcode: DNS_RCODE.REFUSED, authoritative: false, answers: [], authority: [], additional: [] };
      case DNS_TYPE.A:
      case DNS_TYPE.AAAA:
        result = this.addresses(question.type, req, ctx, []);
        break;
      case DNS_TYPE.TXT:
        result = this.txt(req, ctx);
        break;
      case DNS_TYPE.CNAME:
        result = this.cname(req, ctx);
        break;
      case DNS_TYPE.PTR:
        result = this.ptr(req, ctx);
        break;
      case DNS_TYPE.SRV:
        result = this.srv(req, ctx);
        break;
      case DNS_TYPE.MX:
        // No entry is a mail host: NODATA unless the name does not exist.
        result = { records: [], extra: [], nameError: this.services(req, DNS_TYPE.MX, ctx).nameError };
        break;
      case DNS_TYPE.SOA:
        // Only the apex has an SOA; below it SOA is NODATA even for names that do not exist (§4).
        result = { records: req.base.length === 0 ? [this.soa(ctx)] : [], extra: [], nameError: false };
        break;
      case DNS_TYPE.NS:
        // Compared as CoreDNS does (code, handler.go): the lower-cased name against the zone
        // as asked, so a mixed-case apex NS query takes the NODATA path.
        if (req.lower === zoneQ) {
          result = this.ns(req, ctx);
          break;
        }
        result = this.existsOnly(req, ctx);
        break;
      default:
        // ANY, HINFO, HTTPS, …: an internal A lookup only picks NXDOMAIN vs NODATA (§4).
        result = this.existsOnly(req, ctx);
    }

    if (result.nameError) {
      if (this.fallsThrough(req.lower)) return null;
      return this.negative(this.synced ? DNS_RCODE.NXDOMAIN : DNS_RCODE.SERVFAIL, ctx);
    }
    if (result.records.length === 0) return this.negative(DNS_RCODE.NOERROR, ctx);
    return { rcode: DNS_RCODE.NOERROR, authoritative: true, answers: result.records, authority: [], additional: result.extra };
  }

  private existsOnly(req: Req, ctx: Ctx): RecordsResult {
    return { records: [], extra: [], nameError: this.services(req, DNS_TYPE.A, ctx).nameError };
  }

  private fallsThrough(lowerName: string): boolean {
    const labels = splitLabels(lowerName);
    return this.cfg.fallthrough.some((z) => endsWithLabels(labels, z.labels));
  }

  /** NXDOMAIN/NODATA/SERVFAIL: authoritative, with exactly one SOA in the authority section (§4). */
  private negative(rcode: number, ctx: Ctx): DnsAnswer {
    return { rcode, authoritative: true, answers: [], authority: [this.soa(ctx)], additional: [] };
  }

  /** `<zone> min(ttl,300) IN SOA ns.dns.<zone> hostmaster.<zone> serial 7200 1800 86400 ttl` (§4). */
  private soa(ctx: Ctx): DnsRecord {
    const z = ctx.zoneQ === '.' ? '' : ctx.zoneQ;
    return {
      name: ctx.zoneQ,
      type: DNS_TYPE.SOA,
      class: DNS_CLASS.IN,
      ttl: Math.min(this.cfg.ttl, SOA_TTL_CAP),
      data: {
        kind: 'SOA',
        mname: `ns.dns.${z}`,
        rname: `hostmaster.${z}`,
        serial: this.soaSerial,
        refresh: SOA_REFRESH,
        retry: SOA_RETRY,
        expire: SOA_EXPIRE,
        minimum: this.cfg.ttl,
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Per-type answers

  /** A/AAAA (§3.1, §3.2, §3.5): one record per distinct address; CNAMEs chased in zone or upstream. */
  private addresses(type: number, req: Req, ctx: Ctx, previous: readonly DnsRecord[]): RecordsResult {
    const found = this.services(req, type, ctx);
    if (found.nameError) return { records: [], extra: [], nameError: true };
    const records: DnsRecord[] = [];
    const dup = new Set<string>();
    for (const e of found.entries) {
      const ht = hostType(e);
      if (ht.kind === 'ip') {
        if ((ht.ip.family === 4) !== (type === DNS_TYPE.A) || dup.has(e.host)) continue;
        dup.add(e.host);
        records.push(addressRecord(req.qname, e.ttl, ht.ip));
        continue;
      }
      if (ht.kind !== 'name') continue;
      const target = fqdn(e.host);
      // "x CNAME x" (or a name below x) would loop: skipped.
      if (isSubdomainName(target, req.lower)) continue;
      const cname: DnsRecord = { name: req.qname, type: DNS_TYPE.CNAME, class: DNS_CLASS.IN, ttl: e.ttl, data: { kind: 'CNAME', target } };
      if (previous.length > MAX_PREVIOUS_CNAMES) continue;
      if (previous.some((p) => p.name === cname.name && p.data.kind === 'CNAME' && p.data.target === target)) continue;
      if (isSubdomainName(target, ctx.zoneQ)) {
        // In zone: chase it here; a target without records drops the CNAME too (§3.5).
        const next = this.addresses(type, this.subRequest(target, ctx), ctx, [...previous, cname]);
        if (!next.nameError && next.records.length > 0) records.push(cname, ...next.records);
        continue;
      }
      // Out of zone: resolve through the whole server (forward → upstream); keep its answer
      // section and TTLs, whatever its rcode; a failed lookup drops the CNAME (§3.5).
      const up = this.serverLookup({ name: target, type, class: DNS_CLASS.IN }, ctx);
      if (up === null) continue;
      records.push(cname, ...up.answers);
    }
    return { records, extra: [], nameError: false };
  }

  /** TXT: only `dns-version.<zone>` has one (§3.7). */
  private txt(req: Req, ctx: Ctx): RecordsResult {
    const found = this.services(req, DNS_TYPE.TXT, ctx);
    if (found.nameError) return { records: [], extra: [], nameError: true };
    const records: DnsRecord[] = [];
    const dup = new Set<string>();
    for (const e of found.entries) {
      if (e.text === undefined || dup.has(e.text)) continue;
      dup.add(e.text);
      records.push({ name: req.qname, type: DNS_TYPE.TXT, class: DNS_CLASS.IN, ttl: e.ttl, data: { kind: 'TXT', strings: [e.text] } });
    }
    return { records, extra: [], nameError: false };
  }

  /** CNAME: the first entry, if it is a name (ExternalName, §3.5). */
  private cname(req: Req, ctx: Ctx): RecordsResult {
    const found = this.services(req, DNS_TYPE.CNAME, ctx);
    if (found.nameError) return { records: [], extra: [], nameError: true };
    const first = found.entries[0];
    if (first === undefined || hostType(first).kind === 'ip') return { records: [], extra: [], nameError: false };
    const rec: DnsRecord = { name: req.qname, type: DNS_TYPE.CNAME, class: DNS_CLASS.IN, ttl: first.ttl, data: { kind: 'CNAME', target: fqdn(first.host) } };
    return { records: [rec], extra: [], nameError: false };
  }

  /** PTR for ClusterIPs and ready endpoint addresses (§3.1, §3.2). */
  private ptr(req: Req, ctx: Ctx): RecordsResult {
    const ip = addressFromReverseName(req.lower);
    if (ip === null) {
      // Not an address: the name exists or not as a forward name (PTR on a service is NODATA).
      return { records: [], extra: [], nameError: this.records(req, ctx).nameError };
    }
    const hosts = this.reverseHosts(ip);
    if (hosts.length === 0) return { records: [], extra: [], nameError: true };
    const records: DnsRecord[] = [];
    for (const h of new Set(hosts)) {
      records.push({ name: req.qname, type: DNS_TYPE.PTR, class: DNS_CLASS.IN, ttl: this.cfg.ttl, data: { kind: 'PTR', target: h } });
    }
    return { records, extra: [], nameError: false };
  }

  /**
   * SRV (§3.1, §3.2): priority 0, weight floor(100/N) over the N matching entries before
   * duplicates go (minimum 1), one record per (target, port), glue per (target, address).
   */
  private srv(req: Req, ctx: Ctx): RecordsResult {
    const found = this.services(req, DNS_TYPE.SRV, ctx);
    if (found.nameError) return { records: [], extra: [], nameError: true };
    const n = found.entries.length;
    // The same float steps as CoreDNS: 100 / (sum of default weights 100), times 100.
    const weight = Math.max(1, Math.min(0xffff, Math.floor((100 / (100 * n)) * 100)));
    const records: DnsRecord[] = [];
    const extra: DnsRecord[] = [];
    const dup = new Set<string>();
    for (const e of found.entries) {
      if (e.port === -1) continue;
      const ht = hostType(e);
      if (ht.kind !== 'ip') continue;
      const target = e.name;
      const srvKey = `${lowerAscii(target)} port ${e.port}`;
      if (!dup.has(srvKey)) {
        dup.add(srvKey);
        records.push({
          name: req.qname,
          type: DNS_TYPE.SRV,
          class: DNS_CLASS.IN,
          ttl: e.ttl,
          data: { kind: 'SRV', priority: 0, weight, port: e.port & 0xffff, target },
        });
      }
      const glueKey = `${lowerAscii(target)} addr ${e.host}`;
      if (!dup.has(glueKey)) {
        dup.add(glueKey);
        extra.push(addressRecord(target, e.ttl, ht.ip));
      }
    }
    return { records, extra, nameError: false };
  }

  /** The apex NS: one NS per nameserver name, glue A/AAAA for each (§3.7). */
  private ns(req: Req, ctx: Ctx): RecordsResult {
    const records: DnsRecord[] = [];
    const extra: DnsRecord[] = [];
    const seen = new Set<string>();
    for (const e of this.services(req, DNS_TYPE.NS, ctx).entries) {
      const ht = hostType(e);
      if (ht.kind !== 'ip') continue;
      extra.push(addressRecord(e.name, e.ttl, ht.ip));
      if (seen.has(e.name)) continue;
      seen.add(e.name);
      records.push({ name: req.qname, type: DNS_TYPE.NS, class: DNS_CLASS.IN, ttl: e.ttl, data: { kind: 'NS', target: e.name } });
    }
    return { records, extra, nameError: false };
  }

  // -------------------------------------------------------------------------------------------
  // Backend lookups

  private subRequest(name: string, ctx: Ctx): Req {
    const qname = fqdn(name);
    const lower = splitLabels(lowerAscii(qname));
    return { qname, lower: lowerAscii(qname), base: lower.slice(0, lower.length - ctx.zoneLabels) };
  }

  /** A lookup through the whole server: this plugin first, then the upstream (§3.5). Null = the lookup failed. */
  private serverLookup(q: DnsQuestion, ctx: Ctx): DnsAnswer | null {
    if (ctx.depth >= MAX_SERVER_DEPTH) return null;
    const own = this.serve(q, ctx.client, ctx.depth + 1);
    if (own !== null) return own;
    if (this.upstream === undefined) return { rcode: DNS_RCODE.NXDOMAIN, authoritative: false, answers: [], authority: [], additional: [] };
    return this.upstream.lookup(q, ctx.client);
  }

  /** The plugin's type-aware lookup: TXT and NS special cases, `ns.dns.<zone>`, then the object records. */
  private services(req: Req, type: number, ctx: Ctx): Found {
    if (type === DNS_TYPE.TXT) {
      if (req.base.length === 1 && req.base[0] === 'dns-version') {
        return { entries: [{ host: '', port: 0, ttl: DNS_VERSION_TTL, name: req.qname, text: DNS_SCHEMA_VERSION }], nameError: false };
      }
      // NODATA when the name has other data, else NXDOMAIN — also for the apex, `svc.<zone>`
      // and `<ns>.svc.<zone>`, which hold no records (code; see the report).
      return this.records(req, ctx).entries.length > 0 ? NO_ENTRIES : NAME_ERROR;
    }
    if (type === DNS_TYPE.NS) {
      return { entries: this.nsAddrs(ctx).map((a) => ({ host: a.ip, port: 0, ttl: this.cfg.ttl, name: a.name })), nameError: false };
    }
    // `ns.dns.<zone>` A/AAAA: the nameserver addresses (§3.7). Compared as CoreDNS does:
    // lower-cased name, zone as asked.
    if (req.lower.startsWith('ns.dns.') && req.lower.indexOf(ctx.zoneQ) === 'ns.dns.'.length) {
      const want = type === DNS_TYPE.A ? 4 : type === DNS_TYPE.AAAA ? 6 : 0;
      const entries = this.nsAddrs(ctx)
        .filter((a) => parseGoIp(a.ip)?.family === want)
        .map((a) => ({ host: a.ip, port: 0, ttl: this.cfg.ttl, name: req.qname }));
      return { entries, nameError: false };
    }
    const found = this.records(req, ctx);
    // SRV for ExternalName services is not served (§3.5): name entries are dropped.
    if (type === DNS_TYPE.SRV) return { entries: found.entries.filter((e) => hostType(e).kind === 'ip'), nameError: found.nameError };
    return found;
  }

  /** Object records for a name (§2, §5.6). */
  private records(req: Req, ctx: Ctx): Found {
    const p = parseName(req.base);
    if (p === null) return NAME_ERROR;
    if (p.podOrSvc === '') return NO_ENTRIES;
    if (req.lower.endsWith('.in-addr.arpa.') || req.lower.endsWith('.ip6.arpa.')) return NAME_ERROR;
    if (!this.namespaceExposed(p.namespace)) return NAME_ERROR;
    return p.podOrSvc === 'pod' ? this.findPods(p, ctx) : this.findServices(p, ctx);
  }

  /** A namespace is exposed when it exists and the `namespaces` option (if any) lists it (§5.6). */
  private namespaceExposed(ns: string): boolean {
    if (this.cfg.namespaces !== null && !this.cfg.namespaces.has(ns)) return false;
    return this.namespaces.has(ns);
  }

  /** `a-b-c-d.<ns>.pod.<zone>` per the pods mode (§3.6). */
  private findPods(p: ParsedName, ctx: Ctx): Found {
    if (this.cfg.pods === 'disabled') return NAME_ERROR;
    if (!this.namespaceExposed(p.namespace)) return NAME_ERROR;
    if (p.service === '') return NO_ENTRIES;
    const label = p.service;
    const dashes = label.split('-').length - 1;
    const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
    const entry: Entry = { host: ip, port: 0, ttl: this.cfg.ttl, name: `${label}.${p.namespace}.pod.${ctx.zoneQ}` };
    if (this.cfg.pods === 'insecure') return parseGoIp(ip) === null ? NAME_ERROR : { entries: [entry], nameError: false };
    // verified: a pod in that namespace must have exactly that IP text.
    const entries = (this.podsByIp.get(ip) ?? []).filter((ns) => ns === p.namespace).map(() => entry);
    return entries.length > 0 ? { entries, nameError: false } : NAME_ERROR;
  }

  /** Service, endpoint and `_port._proto` names (§3.1–§3.5). */
  private findServices(p: ParsedName, ctx: Ctx): Found {
    if (!this.namespaceExposed(p.namespace)) return NAME_ERROR;
    // `<ns>.svc.<zone>`: NODATA for an exposed namespace (§3.7).
    if (p.service === '') return NO_ENTRIES;
    const key = `${p.namespace}/${p.service}`;
    const entries: Entry[] = [];
    let nameError = true;
    const ttl = this.cfg.ttl;
    for (const svc of this.svcByKey.get(key) ?? []) {
      const svcName = `${svc.name}.${svc.namespace}.svc.${ctx.zoneQ}`;
      const slices = this.epByKey.get(key) ?? [];
      if (this.cfg.ignoreEmptyService && !svc.external && !svc.headless) {
        if (slices.every((s) => s.addresses.length === 0)) continue;
      }
      if (svc.external) {
        // No endpoints and no `_port._proto` under an ExternalName service (§3.5); an IP
        // value makes no record.
        if (p.endpoint !== '' || p.port !== '' || p.protocol !== '') continue;
        if (parseGoIp(svc.externalName) !== null) continue;
        entries.push({ host: svc.externalName, port: 0, ttl, name: svcName });
        nameError = false;
        continue;
      }
      if (svc.headless || p.endpoint !== '') {
        // Headless service, or an endpoint name under any service (§3.2 quirk).
        for (const ep of slices) {
          for (const a of ep.addresses) {
            if (p.endpoint !== '' && !eqFold(p.endpoint, a.hostname)) continue;
            for (const port of ep.ports) {
              if (!matchPortAndProtocol(p.port, port.name, p.protocol, port.protocol)) continue;
              entries.push({ host: a.ip, port: port.port, ttl, name: `${a.hostname}.${svcName}` });
              nameError = false;
            }
          }
        }
        continue;
      }
      // ClusterIP, NodePort, LoadBalancer: the ClusterIPs, whatever the endpoints (§3.1).
      for (const port of svc.ports) {
        if (!matchPortAndProtocol(p.port, port.name, p.protocol, port.protocol)) continue;
        nameError = false;
        for (const ip of svc.clusterIPs) entries.push({ host: ip, port: port.port, ttl, name: svcName });
      }
    }
    return { entries, nameError };
  }

  /** PTR targets for an address: the first exposed service with that ClusterIP, else every endpoint name (§3.1, §3.2). */
  private reverseHosts(ip: string): string[] {
    const limited = this.cfg.namespaces !== null;
    const zone = this.cfg.primaryZone;
    for (const svc of this.svcByIp.get(ip) ?? []) {
      if (limited && !this.namespaceExposed(svc.namespace)) continue;
      return [`${svc.name}.${svc.namespace}.svc.${zone}`];
    }
    const hosts: string[] = [];
    for (const ep of this.epByIp.get(ip) ?? []) {
      if (limited && !this.namespaceExposed(ep.namespace)) continue;
      for (const a of ep.addresses) if (a.ip === ip) hosts.push(`${a.hostname}.${ep.service}.${ep.namespace}.svc.${zone}`);
    }
    return hosts;
  }

  /**
   * The nameserver names and addresses (§3.7): the services whose endpoints hold the
   * answering pod's address (the ClusterIPs, or endpoint names for a headless one), else
   * `ns.dns.<zone>` with the pod's own addresses. One per distinct address.
   */
  private nsAddrs(ctx: Ctx): { name: string; ip: string }[] {
    const found: { name: string; ip: string }[] = [];
    for (const local of this.serverIps) {
      for (const ep of this.epByIp.get(local) ?? []) {
        for (const svc of this.svcByKey.get(`${ep.namespace}/${ep.service}`) ?? []) {
          const svcName = `${svc.name}.${svc.namespace}.svc.${ctx.zoneQ}`;
          if (svc.headless) for (const a of ep.addresses) found.push({ name: `${a.hostname}.${svcName}`, ip: a.ip });
          else if (!svc.external) for (const ip of svc.clusterIPs) found.push({ name: svcName, ip });
        }
      }
    }
    if (found.length === 0) for (const local of this.serverIps) found.push({ name: `ns.dns.${ctx.zoneQ === '.' ? '' : ctx.zoneQ}`, ip: local });
    const out: { name: string; ip: string }[] = [];
    const seen = new Set<string>();
    for (const f of found) {
      const c = canonicalIp(f.ip);
      if (c === null || seen.has(c)) continue;
      seen.add(c);
      out.push(f);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Conversions

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

function resolveConfig(c: ClusterDnsConfig): ResolvedConfig {
  const ttl = c.ttl ?? KUBEADM_DNS_CONFIG.ttl;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new RangeError(`cluster DNS ttl must be an integer 0–3600, got ${ttl}`);
  const primary = zoneInfo(c.zone ?? KUBEADM_DNS_CONFIG.zone);
  const zones: ZoneInfo[] = [primary];
  for (const z of c.zones ?? KUBEADM_DNS_CONFIG.zones) {
    const zi = zoneInfo(z);
    if (!zones.some((x) => x.name === zi.name)) zones.push(zi);
  }
  const ft = c.fallthrough ?? KUBEADM_DNS_CONFIG.fallthrough;
  // `fallthrough` without zones covers everything (the root zone).
  const fallthrough = ft === true ? [zoneInfo('.')] : ft === false ? [] : ft.map(zoneInfo);
  return {
    primaryZone: primary.name,
    zones,
    ttl,
    pods: c.pods ?? KUBEADM_DNS_CONFIG.pods,
    fallthrough,
    ignoreEmptyService: c.ignoreEmptyService ?? false,
    namespaces: c.namespaces && c.namespaces.length > 0 ? new Set(c.namespaces.map(lowerAscii)) : null,
    endpointPodNames: c.endpointPodNames ?? false,
    serverIps: c.serverIps ?? null,
  };
}

function toSvcInfo(s: Service): SvcInfo {
  const spec = s.spec;
  const clusterIP = spec.clusterIP ?? spec.clusterIPs?.[0] ?? '';
  return {
    name: lowerAscii(s.metadata.name),
    namespace: lowerAscii(namespaceOf(s.metadata)),
    external: spec.type === 'ExternalName',
    externalName: spec.externalName ?? '',
    headless: clusterIP === 'None',
    // An unallocated ("") ClusterIP serves nothing.
    clusterIPs: (spec.clusterIPs && spec.clusterIPs.length > 0 ? spec.clusterIPs : [clusterIP]).filter((ip) => ip !== ''),
    ports:
      spec.ports && spec.ports.length > 0
        ? spec.ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }))
        : NO_PORTS,
  };
}

/** A slice as the plugin keeps it: ready (or unset) endpoints only, every address of each (§3.3). */
function toEpSet(sl: EndpointSlice, podNames: boolean): EpSet | null {
  const service = sl.metadata.labels?.[LABEL_SERVICE_NAME];
  if (service === undefined || sl.addressType === 'FQDN') return null;
  const addresses: EpAddress[] = [];
  for (const e of sl.endpoints) {
    if (e.conditions?.ready === false) continue;
    for (const ip of e.addresses) addresses.push({ ip, hostname: endpointHostname(e.hostname, e.targetRef?.name, ip, podNames) });
  }
  return {
    namespace: lowerAscii(namespaceOf(sl.metadata)),
    service: lowerAscii(service),
    ports:
      sl.ports && sl.ports.length > 0
        ? sl.ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port ?? -1 }))
        : NO_PORTS,
    addresses,
  };
}
