/**
 * kube-proxy's HTTP servers on a node (upstream pkg/proxy/healthcheck; kube-proxy-iptables.md
 * §7 item 5):
 *
 * - the proxier health server on `--healthz-bind-address` (default 0.0.0.0:10256):
 *   `/healthz` → 200 while kube-proxy is healthy and the node is eligible, else 503, body
 *   `{"lastUpdated": "…","currentTime": "…", "nodeEligible": true}`; `/livez` → the same
 *   without node eligibility and without that field. Both times print as Go's
 *   `time.Time.String()` (with the monotonic `m=+…` part); while healthy lastUpdated equals
 *   currentTime. Other paths get Go's ServeMux 404.
 * - one service health server per Service of type LoadBalancer with externalTrafficPolicy
 *   Local, on its `spec.healthCheckNodePort`, answering every path and method: 200 when the
 *   node has at least one local *ready* endpoint (terminating ones do not count) and
 *   kube-proxy is healthy, else 503. The count is of distinct endpoint IPs over all the
 *   Service's ports (EndpointsMap.LocalReadyEndpoints). Headers Content-Type
 *   application/json, X-Content-Type-Options nosniff and X-Load-Balancing-Endpoint-Weight N;
 *   the body is the dedented, tab-indented JSON text kube-proxy prints (hcHandler.ServeHTTP),
 *   not a compact encoding: a real node answers `{\n\t"service": {\n\t\t"namespace": …`.
 *
 * `update(services, slices)` is kube-proxy's SyncServices + SyncEndpoints: servers open and
 * close with their Services, and the answers follow the endpoints. Counts are read when a
 * request arrives.
 */
import type { Host } from '../../dataplane/host.ts';
import { serveHttp, requestPath, type HttpReply, type HttpServer } from '../../apps/http-server.ts';
import { SIM_EPOCH_MS, appNote, httpDate } from '../../apps/common.ts';
import type { EndpointSlice, Service } from '../model/index.ts';
import { buildEndpointsMap } from './endpoints.ts';
import { collectServicePorts } from './service-port.ts';

/** kube-proxy's default health server port (KubeProxyConfiguration healthzBindAddress 0.0.0.0:10256). */
export const KUBE_PROXY_HEALTHZ_PORT = 10256;

/** One service health server as it stands. */
export interface ServiceHealthState {
  readonly namespace: string;
  readonly name: string;
  /** The Service's healthCheckNodePort this node listens on. */
  readonly port: number;
  /** Local ready endpoints (distinct IPs) on this node. */
  readonly localEndpoints: number;
  /** What a request would get now: 200 or 503. */
  readonly status: 200 | 503;
}

/** Who runs the servers. */
export interface KubeProxyHealthOptions {
  /** The node's name: endpoints whose nodeName equals it are local. */
  readonly nodeName: string;
  /** Wall-clock time of simulated time 0, for Date headers and the JSON times (default SIM_EPOCH_MS). */
  readonly epochMs?: number;
  /** Simulated time kube-proxy started at: the origin of Go's monotonic `m=+…` (default: construction time). */
  readonly startedAt?: number;
  /** The health server port (default 10256). */
  readonly healthzPort?: number;
}

/**
 * The body kube-proxy's service health server writes: its dedented template, trimmed of the
 * surrounding newlines, so tab-indented lines joined by "\n" with no final newline.
 */
export function serviceHealthBody(namespace: string, name: string, localEndpoints: number, serviceProxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(namespace)},`,
    `\t\t"name": ${JSON.stringify(name)}`,
    '\t},',
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${serviceProxyHealthy}`,
    '}',
  ].join('\n');
}

/**
 * Local ready endpoints per Service ("ns/name" → count of distinct IPs over all its ports), as
 * kube-proxy's EndpointsMap.LocalReadyEndpoints computes them for `nodeName`.
 */
export function localReadyEndpointCounts(slices: readonly EndpointSlice[], nodeName: string): Map<string, number> {
  const ips = new Map<string, Set<string>>();
  for (const [key, eps] of buildEndpointsMap(slices, nodeName)) {
    const svc = key.split('\u0000')[0]!; // endpointsKey: "ns/name\0port\0proto"
    for (const ep of eps) {
      if (!ep.ready || !ep.isLocal) continue;
      let set = ips.get(svc);
      if (!set) ips.set(svc, (set = new Set()));
      set.add(ep.ip);
    }
  }
  return new Map([...ips].map(([k, v]) => [k, v.size]));
}

const MONTHS: Readonly<Record<string, string>> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

/**
 * Go's `time.Time.String()` of a UTC time read from a clock with a monotonic reading:
 * "2026-01-01 00:00:02.5 +0000 UTC m=+2.500000000". The fraction drops trailing zeros (and
 * disappears when zero); the monotonic part always has nine decimals.
 */
export function goTimeString(epochMs: number, simNs: number, monotonicOriginNs: number): string {
  const totalNs = (epochMs % 1000) * 1e6 + simNs;
  const secs = Math.floor(epochMs / 1000) + Math.floor(totalNs / 1e9);
  const nanos = totalNs % 1e9;
  const m = /^\w{3}, (\d{2}) (\w{3}) (\d+) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(httpDate(secs * 1000));
  if (!m) throw new Error('unreachable: httpDate format');
  const frac = nanos === 0 ? '' : '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
  const mono = simNs - monotonicOriginNs;
  const monoText = `${mono < 0 ? '-' : '+'}${Math.floor(Math.abs(mono) / 1e9)}.${String(Math.abs(mono) % 1e9).padStart(9, '0')}`;
  return `${m[3]}-${MONTHS[m[2]!]}-${m[1]} ${m[4]}:${m[5]}:${m[6]}${frac} +0000 UTC m=${monoText}`;
}

const JSON_HEADERS = (weight?: number): HttpReply['headers'] => [
  ['Content-Type', 'application/json'],
  ['X-Content-Type-Options', 'nosniff'],
  ...(weight === undefined ? [] : ([['X-Load-Balancing-Endpoint-Weight', String(weight)]] as const)),
];

interface HcServer {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly server: HttpServer;
}

/** kube-proxy's health servers on one node host. */
export class KubeProxyHealth {
  /** kube-proxy's own health (its rules were synced recently); false makes every answer 503. */
  healthy = true;
  /** The node may receive load-balanced traffic (not being deleted); false makes /healthz 503. */
  nodeEligible = true;
  /** Simulated time of the last update(): the proxier's last sync. */
  lastUpdated: number;
  private healthz: HttpServer | null = null;
  private readonly hc = new Map<string, HcServer>();
  private counts = new Map<string, number>();
  private readonly startedAt: number;

  constructor(
    readonly host: Host,
    readonly opts: KubeProxyHealthOptions,
  ) {
    this.startedAt = opts.startedAt ?? host.now;
    this.lastUpdated = host.now;
  }

  /** Opens the health server (10256). Throws if the port is taken. */
  start(): this {
    if (this.healthz) return this;
    this.healthz = serveHttp(this.host, this.opts.healthzPort ?? KUBE_PROXY_HEALTHZ_PORT, (req) => this.proxierHealth(requestPath(req.target).path), {
      label: `kube-proxy ${this.opts.nodeName} healthz`,
      epochMs: this.opts.epochMs,
    });
    return this;
  }

  /**
   * kube-proxy's sync: opens a service health server for each LoadBalancer Service with
   * externalTrafficPolicy Local and a healthCheckNodePort, closes the ones whose Service
   * went away or changed port, and takes the new local ready endpoint counts.
   */
  update(services: readonly Service[], slices: readonly EndpointSlice[]): void {
    this.lastUpdated = this.host.now;
    this.counts = localReadyEndpointCounts(slices, this.opts.nodeName);
    const want = new Map<string, { namespace: string; name: string; port: number }>();
    for (const sp of collectServicePorts(services)) {
      if (sp.healthCheckNodePort === 0) continue;
      const svc = sp.name.split(':')[0]!; // "ns/name[:port]"
      const slash = svc.indexOf('/');
      want.set(svc, { namespace: svc.slice(0, slash), name: svc.slice(slash + 1), port: sp.healthCheckNodePort });
    }
    for (const [key, s] of this.hc) {
      if (want.get(key)?.port === s.port) continue;
      s.server.stop();
      this.hc.delete(key);
      appNote(this.host, 0, `kube-proxy ${this.opts.nodeName}: closed health check node port ${s.port} of ${key}`);
    }
    for (const [key, w] of want) {
      if (this.hc.has(key)) continue;
      if (this.host.tcp.isListening(w.port)) {
        // kube-proxy logs "failed to start healthcheck" and retries on the next sync.
        appNote(this.host, 0, `kube-proxy ${this.opts.nodeName}: health check node port ${w.port} of ${key} is in use`);
        continue;
      }
      const server = serveHttp(this.host, w.port, () => this.serviceHealth(key, w.namespace, w.name), {
        label: `kube-proxy ${this.opts.nodeName} health check ${key}`,
        epochMs: this.opts.epochMs,
      });
      this.hc.set(key, { ...w, server });
      appNote(this.host, 0, `kube-proxy ${this.opts.nodeName}: serving health check for ${key} on port ${w.port}`);
    }
  }

  /** The service health servers, in Service order. */
  services(): ServiceHealthState[] {
    return [...this.hc.entries()].map(([key, s]) => {
      const n = this.counts.get(key) ?? 0;
      return { namespace: s.namespace, name: s.name, port: s.port, localEndpoints: n, status: n > 0 && this.healthy ? 200 : 503 };
    });
  }

  /** Closes every server. */
  stop(): void {
    this.healthz?.stop();
    this.healthz = null;
    for (const s of this.hc.values()) s.server.stop();
    this.hc.clear();
  }

  private serviceHealth(key: string, namespace: string, name: string): HttpReply {
    const n = this.counts.get(key) ?? 0;
    return {
      status: n > 0 && this.healthy ? 200 : 503,
      headers: JSON_HEADERS(n),
      body: serviceHealthBody(namespace, name, n, this.healthy),
    };
  }

  private proxierHealth(path: string): HttpReply {
    const epoch = this.opts.epochMs ?? SIM_EPOCH_MS;
    const now = goTimeString(epoch, this.host.now, this.startedAt);
    // A healthy answer reports lastUpdated = currentTime (kept for compatibility upstream).
    const last = goTimeString(epoch, this.lastUpdated, this.startedAt);
    if (path === '/healthz') {
      const ok = this.healthy && this.nodeEligible;
      return { status: ok ? 200 : 503, headers: JSON_HEADERS(), body: `{"lastUpdated": ${JSON.stringify(ok ? now : last)},"currentTime": ${JSON.stringify(now)}, "nodeEligible": ${this.nodeEligible}}` };
    }
    if (path === '/livez') {
      return { status: this.healthy ? 200 : 503, headers: JSON_HEADERS(), body: `{"lastUpdated": ${JSON.stringify(this.healthy ? now : last)},"currentTime": ${JSON.stringify(now)}}` };
    }
    return {
      status: 404,
      body: '404 page not found\n',
      headers: [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['X-Content-Type-Options', 'nosniff'],
      ],
    };
  }
}
