/**
 * The resolv.conf a pod gets (shared/docs/cluster-dns.md §6): kubelet picks nameservers,
 * search domains and options from the pod's dnsPolicy and dnsConfig, trims them to libc's
 * limits, and the container runtime writes them out as `search`, `nameserver` and `options`
 * lines.
 */
import { namespaceOf, type DnsPolicy, type Pod } from '../model/index.ts';
import { canonicalIp, parseGoIp } from './ip.ts';

/** One `options` entry: `ndots:5` is {name: "ndots", value: "5"}, `edns0` has no value. */
export interface ResolvOption {
  readonly name: string;
  readonly value?: string;
}

/** A resolver configuration: what kubelet hands the runtime for a pod, and what the node's file holds. */
export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly ResolvOption[];
}

/** kubelet's DNS settings: KubeletConfiguration `clusterDNS`/`clusterDomain` and `--resolv-conf`. */
export interface KubeletDnsConfig {
  /** The cluster DNS Service IP(s), e.g. ["10.96.0.10"]; empty makes ClusterFirst fall back to Default. */
  readonly clusterDns: readonly string[];
  /** The cluster domain, e.g. "cluster.local"; "" adds no cluster search domains. */
  readonly clusterDomain: string;
  /**
   * The node's resolv.conf as kubelet reads it (see {@link parseResolvConf}), e.g. one
   * upstream nameserver. Null models `--resolv-conf=""`: no host file at all.
   */
  readonly hostResolvConf: ResolvConf | null;
  /** The node's IPs; only used with `--resolv-conf=""` (a loopback nameserver per family). */
  readonly nodeIps?: readonly string[];
  /** The pre-1.28 search limits (6 domains / 256 characters) instead of 32 / 2048 (§6). */
  readonly legacySearchLimits?: boolean;
}

/** At most 3 nameservers (§6). */
export const MAX_DNS_NAMESERVERS = 3;
/** At most 32 search domains (§6; 6 with the legacy limits). */
export const MAX_DNS_SEARCH_PATHS = 32;
/** At most 2048 characters in the search line (§6; 256 with the legacy limits). */
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** Search domains longer than a DNS-1123 subdomain (253) are dropped (§6). */
export const MAX_SEARCH_DOMAIN_LENGTH = 253;

const LEGACY_SEARCH_PATHS = 6;
const LEGACY_SEARCH_LIST_CHARS = 256;

/** The only option ClusterFirst pods get before dnsConfig merges in (§6). */
const CLUSTER_OPTIONS: readonly ResolvOption[] = Object.freeze([{ name: 'ndots', value: '5' }]);

function omitDuplicates(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/** Options keyed by name; a later entry replaces an earlier one in place (kubelet keeps them in a map). */
function mergeOptions(...lists: readonly (readonly ResolvOption[])[]): ResolvOption[] {
  const m = new Map<string, string>();
  for (const list of lists) for (const o of list) m.set(o.name, o.value ?? '');
  return [...m].map(([name, value]) => (value === '' ? { name } : { name, value }));
}

/** Which of kubelet's three DNS setups a pod gets: ClusterFirst on hostNetwork falls back to Default (§6). */
function podDnsType(policy: DnsPolicy, hostNetwork: boolean): 'cluster' | 'host' | 'none' {
  switch (policy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'ClusterFirst':
      return hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
  }
}

/**
 * The pod's resolv.conf contents as kubelet forms them (§6). `onWarning` receives the
 * messages kubelet records as pod events (limits exceeded, ClusterFirst without clusterDNS).
 */
export function podResolvConf(pod: Pod, kubelet: KubeletDnsConfig, onWarning?: (message: string) => void): ResolvConf {
  const host = kubelet.hostResolvConf;
  let nameservers: string[] = host ? [...host.nameservers] : [];
  let search: string[] = host ? [...host.search] : [];
  let options: ResolvOption[] = host ? [...host.options] : [];

  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  let type = podDnsType(policy, pod.spec.hostNetwork === true);
  if (type === 'cluster' && kubelet.clusterDns.length === 0) {
    onWarning?.(`kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`);
    type = 'host';
  }
  if (type === 'none') {
    nameservers = [];
    search = [];
    options = [];
  } else if (type === 'cluster') {
    // Only the cluster DNS servers; cluster suffixes first, then the node's; options reset.
    nameservers = kubelet.clusterDns.map((ip) => canonicalIp(ip) ?? ip);
    const d = kubelet.clusterDomain;
    if (d !== '') search = omitDuplicates([`${namespaceOf(pod.metadata)}.svc.${d}`, `svc.${d}`, d, ...search]);
    options = [...CLUSTER_OPTIONS];
  } else if (host === null) {
    // --resolv-conf="": a loopback nameserver per node address family, search ".".
    const ips = kubelet.nodeIps ?? [];
    nameservers = ips.map((ip) => (parseGoIp(ip)?.family === 6 ? '::1' : '127.0.0.1'));
    if (nameservers.length === 0) nameservers = ['127.0.0.1'];
    search = ['.'];
  }

  const dc = pod.spec.dnsConfig;
  if (dc !== undefined) {
    // dnsConfig: nameservers and searches appended (duplicates dropped), options override by name.
    nameservers = omitDuplicates([...nameservers, ...(dc.nameservers ?? [])]);
    search = omitDuplicates([...search, ...(dc.searches ?? [])]);
    options = mergeOptions(options, dc.options ?? []);
  }

  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    nameservers = nameservers.slice(0, MAX_DNS_NAMESERVERS);
    onWarning?.(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${nameservers.join(' ')}`);
  }
  search = fitSearch(search, kubelet.legacySearchLimits === true, onWarning);
  return { nameservers, search, options };
}

/** kubelet's search-line trimming: drop over-long domains, keep the first N, then cut from the end to the character limit. */
function fitSearch(list: readonly string[], legacy: boolean, onWarning?: (message: string) => void): string[] {
  const maxPaths = legacy ? LEGACY_SEARCH_PATHS : MAX_DNS_SEARCH_PATHS;
  const maxChars = legacy ? LEGACY_SEARCH_LIST_CHARS : MAX_DNS_SEARCH_LIST_CHARS;
  let exceeded = false;
  let out = list.filter((d) => d.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (out.length !== list.length) exceeded = true;
  if (out.length > maxPaths) {
    out = out.slice(0, maxPaths);
    exceeded = true;
  }
  const lineLen = out.join(' ').length;
  if (lineLen > maxChars) {
    let cutLen = 0;
    let cut = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLen += out[i]!.length + 1;
      cut++;
      if (lineLen - cutLen <= maxChars) break;
    }
    out = out.slice(0, out.length - cut);
    exceeded = true;
  }
  if (exceeded) onWarning?.(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  return out;
}

/**
 * The file text the runtime writes from kubelet's settings: a `search` line, one
 * `nameserver` line each, an `options` line; empty parts are left out (§6).
 */
export function formatResolvConf(conf: ResolvConf): string {
  let text = '';
  if (conf.search.length > 0) text += `search ${conf.search.join(' ')}\n`;
  for (const ns of conf.nameservers) text += `nameserver ${ns}\n`;
  if (conf.options.length > 0) text += `options ${conf.options.map(formatOption).join(' ')}\n`;
  return text;
}

function formatOption(o: ResolvOption): string {
  return o.value === undefined || o.value === '' ? o.name : `${o.name}:${o.value}`;
}

function parseOption(text: string): ResolvOption {
  const colon = text.indexOf(':');
  return colon < 0 ? { name: text } : { name: text.slice(0, colon), value: text.slice(colon + 1) };
}

/**
 * Reads a node's resolv.conf the way kubelet does: `nameserver` lines accumulate, the last
 * `search` line wins (trailing dots trimmed, "." dropped), `options` accumulate with later
 * values of an option replacing earlier ones; `#` lines and anything else are ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let options: ResolvOption[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('#')) continue;
    const f = t.split(/\s+/).filter((x) => x !== '');
    if (f.length === 0) continue;
    if (f[0] === 'nameserver' && f.length >= 2) nameservers.push(f[1]!);
    else if (f[0] === 'search') search = f.slice(1).filter((s) => s !== '.').map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    else if (f[0] === 'options') options = mergeOptions(options, f.slice(1).map(parseOption));
  }
  return { nameservers, search, options };
}
