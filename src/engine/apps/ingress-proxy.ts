/**
 * An nginx-like L7 proxy (what the ingress-nginx controller pod runs): it terminates the
 * client's TCP connection, reads each HTTP request, picks a route by Host (port stripped,
 * case-insensitive) and path, opens its own TCP connection to the route's backend, forwards the
 * request and relays the response (status line, headers, body) back.
 *
 * - Backends are Service ClusterIP:port, reached through the node's kube-proxy rules, as
 *   ingress-nginx does with the `nginx.ingress.kubernetes.io/service-upstream: "true"`
 *   annotation. Real ingress-nginx defaults to the endpoint (pod) addresses from
 *   EndpointSlices and balances over them itself; kubewire uses the ClusterIP so that the
 *   Service's DNAT stays visible on the path. One upstream connection per request (no
 *   keepalive pool).
 * - Routes are plain data (host, path, pathType, backend), computed elsewhere from Ingress
 *   objects (k8s/ingress.ts); matching follows the Ingress API: an exact host beats a
 *   wildcard host ("*.example.com", one label), which beats rules without host; within the
 *   host, the longest matching path wins and Exact beats Prefix on a tie; Prefix matches whole
 *   path elements ("/foo" matches "/foo" and "/foo/bar", not "/foobar"); ImplementationSpecific
 *   is treated as Prefix. With no path match the host's default backend (a `fallback` route)
 *   answers, else 404.
 * - Request headers sent upstream, in ingress-nginx's template order: Host (as the client sent
 *   it), X-Request-ID, X-Real-IP, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Port,
 *   X-Forwarded-Proto, X-Forwarded-Scheme, X-Scheme, X-Original-Forwarded-For (the client's own
 *   X-Forwarded-For, when it sent one), then the client's other headers. X-Forwarded-For
 *   appends the client address to any value the client sent (nginx's
 *   $proxy_add_x_forwarded_for); `forwardedFor: 'replace'` gives ingress-nginx's default
 *   (use-forwarded-headers false): just the client address.
 * - Errors, with nginx's HTML error pages: no route → 404; the route's Service or port does not
 *   exist → 503; the ClusterIP connection is refused (kube-proxy REJECTs a Service without
 *   endpoints) → 503, the answer ingress-nginx gives for a Service without endpoints (plain
 *   nginx would say 502); upstream reset or malformed → 502; connect or read timeout → 504.
 */
import type { Host } from '../dataplane/host.ts';
import type { RandomStream } from '../sim/rng.ts';
import type { TcpConnection, TcpError } from '../dataplane/socket/tcp.ts';
import { formatIpv4, parseIpv4 } from '../wire/addr.ts';
import { httpHeader, parseHttpResponse, type HttpHeader, type HttpRequest } from '../wire/http.ts';
import { SECOND_NS, appNote, formatEndpoint } from './common.ts';
import { nginxErrorPage, requestPath, serveHttp, type HttpReply, type HttpRespond, type HttpServer } from './http-server.ts';

/** networking.k8s.io/v1 HTTPIngressPath pathType. */
export type IngressPathType = 'Prefix' | 'Exact' | 'ImplementationSpecific';

/** Where a route sends requests: a Service's ClusterIP and port. */
export interface IngressRouteBackend {
  /** Dotted IPv4 text or the address as a number. */
  readonly clusterIP: string | number;
  readonly port: number;
}

/** One routing rule, as plain data. */
export interface IngressRoute {
  /** "" for any host, "example.com", or a wildcard "*.example.com". Lower case. */
  readonly host: string;
  readonly path: string;
  readonly pathType: IngressPathType;
  /** null when the Service or its port does not exist: requests get 503. */
  readonly backend: IngressRouteBackend | null;
  /** A default backend: used only when no path rule of its host matched. */
  readonly fallback?: boolean;
  /** For notes and logs, e.g. "default/web:80 (ingress default/site)". */
  readonly label?: string;
}

/** Options of the proxy program. */
export interface IngressProxyOptions {
  /** Names the program in the trace (default "ingress-nginx"). */
  readonly name?: string;
  /** Listening ports (default [80]). */
  readonly ports?: readonly number[];
  readonly routes: readonly IngressRoute[];
  /** proxy-connect-timeout (ingress-nginx default 5 s). */
  readonly connectTimeoutNs?: number;
  /** proxy-read-timeout (ingress-nginx default 60 s). */
  readonly readTimeoutNs?: number;
  /** How X-Forwarded-For is built (default 'append'). */
  readonly forwardedFor?: 'append' | 'replace';
  /** Wall-clock time of simulated time 0, for Date headers. */
  readonly epochMs?: number;
  /** Called for every request proxied or refused. */
  readonly onProxy?: (e: IngressProxyEvent) => void;
}

/** One request handled. */
export interface IngressProxyEvent {
  readonly time: number;
  /** The client as the proxy saw it, "ip:port". */
  readonly client: string;
  /** The Host the route was chosen by (port stripped, lower case). */
  readonly host: string;
  readonly method: string;
  readonly target: string;
  /** The route used, or null (404). */
  readonly route: IngressRoute | null;
  /** "ip:port" dialled upstream, or null when none was. */
  readonly upstream: string | null;
  /** The status returned to the client. */
  readonly status: number;
  /** Why the proxy answered itself: 'no-route', 'no-service', or the upstream TcpError / 'malformed'. */
  readonly error: string | null;
  readonly flow: number;
}

/** Splits a path into its elements: leading "/" and one trailing "/" ignored. */
function elements(path: string): string[] {
  const parts = path.split('/');
  parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Whether a rule's path matches a request path (Ingress API path matching; ImplementationSpecific as Prefix). */
export function ingressPathMatches(pathType: IngressPathType, rulePath: string, path: string): boolean {
  if (pathType === 'Exact') return path === rulePath;
  const want = elements(rulePath === '' ? '/' : rulePath);
  const have = elements(path);
  if (want.length > have.length) return false;
  for (let i = 0; i < want.length; i++) if (want[i] !== have[i]) return false;
  return true;
}

/** Whether a rule host matches a request host (both lower case; wildcards cover exactly one label). */
function hostMatches(ruleHost: string, host: string): boolean {
  if (!ruleHost.startsWith('*.')) return ruleHost === host;
  const suffix = ruleHost.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, host.length - suffix.length).includes('.');
}

/** The route for a request's host (port stripped, lower case) and path, or null for 404. */
export function matchIngressRoute(routes: readonly IngressRoute[], host: string, path: string): IngressRoute | null {
  const h = host.toLowerCase();
  // The server block: the exact host, else the longest matching wildcard, else the hostless rules.
  let group = routes.filter((r) => r.host !== '' && !r.host.startsWith('*.') && r.host === h);
  if (group.length === 0) {
    let best = '';
    for (const r of routes) if (r.host.startsWith('*.') && hostMatches(r.host, h) && r.host.length > best.length) best = r.host;
    if (best) group = routes.filter((r) => r.host === best);
  }
  if (group.length === 0) group = routes.filter((r) => r.host === '');
  let pick: IngressRoute | null = null;
  for (const r of group) {
    if (r.fallback || !ingressPathMatches(r.pathType, r.path, path)) continue;
    if (!pick || r.path.length > pick.path.length || (r.path.length === pick.path.length && r.pathType === 'Exact' && pick.pathType !== 'Exact')) pick = r;
  }
  return pick ?? group.find((r) => r.fallback) ?? null;
}

/** The Host header's host part: port removed, lower case ("" when absent). */
export function hostWithoutPort(hostHeader: string | undefined): string {
  const v = (hostHeader ?? '').trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(0, v.indexOf(']') + 1);
  const colon = v.lastIndexOf(':');
  return colon >= 0 && /^\d*$/.test(v.slice(colon + 1)) ? v.slice(0, colon) : v;
}

/** Request headers a proxy never forwards as they came (hop-by-hop, or set by the proxy itself). */
const NOT_PASSED = new Set(['host', 'connection', 'keep-alive', 'proxy', 'proxy-connection', 'te', 'upgrade', 'transfer-encoding', 'content-length', 'x-request-id', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-forwarded-scheme', 'x-scheme', 'x-original-forwarded-for']);

/** Upstream response headers nginx does not relay (it writes its own Date, length and connection). */
const NOT_RELAYED = new Set(['date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-pad']);

const enc = new TextEncoder();

/** A running proxy. */
export class IngressProxy {
  /** Every request handled, in order. */
  readonly log: IngressProxyEvent[] = [];
  private routes: readonly IngressRoute[];
  private readonly servers: HttpServer[] = [];
  private readonly upstreams = new Set<TcpConnection>();
  private readonly rand: RandomStream;
  private readonly name: string;

  constructor(
    readonly host: Host,
    readonly opts: IngressProxyOptions,
  ) {
    this.routes = opts.routes;
    this.name = opts.name ?? 'ingress-nginx';
    this.rand = host.net.sim.rng.stream(`ingress-proxy/${host.name}/request-id`);
  }

  /** Listens on the configured ports. Throws if one is taken. */
  start(): this {
    if (this.servers.length > 0) return this;
    for (const port of this.opts.ports ?? [80]) {
      this.servers.push(serveHttp(this.host, port, (req, c, respond) => this.handle(req, c, port, respond), { flavor: 'nginx', label: this.name, epochMs: this.opts.epochMs }));
    }
    return this;
  }

  /** Replaces the routing table (the controller's reload after an Ingress or Service change). */
  setRoutes(routes: readonly IngressRoute[]): void {
    this.routes = routes;
  }

  /** The routing table in use. */
  get currentRoutes(): readonly IngressRoute[] {
    return this.routes;
  }

  /** Stops listening and resets client and upstream connections. */
  stop(): void {
    for (const s of this.servers) s.stop();
    this.servers.length = 0;
    for (const u of [...this.upstreams]) u.abort();
    this.upstreams.clear();
  }

  private handle(req: HttpRequest, c: TcpConnection, port: number, respond: HttpRespond): HttpReply | undefined {
    const hostHeader = httpHeader(req.headers, 'host');
    const host = hostWithoutPort(hostHeader);
    const { path } = requestPath(req.target);
    const route = matchIngressRoute(this.routes, host, path);
    const client = formatEndpoint(c.remoteIp, c.remotePort);
    const base = { client, host, method: req.method, target: req.target, route, flow: c.flow };
    const own = (status: number, error: string, upstream: string | null, why: string): HttpReply => {
      this.record({ ...base, upstream, status, error });
      appNote(this.host, 0, `${this.name}: ${req.method} ${host}${req.target} from ${client}: ${why} → ${status}`, c.flow);
      return { status, body: nginxErrorPage(status), headers: [['Content-Type', 'text/html']] };
    };
    if (!route) return own(404, 'no-route', null, 'no rule for this host and path');
    const b = route.backend;
    const ip = b === null ? null : typeof b.clusterIP === 'number' ? b.clusterIP : parseIpv4(b.clusterIP);
    if (b === null || ip === null) return own(503, 'no-service', null, `route ${route.label ?? route.path} has no Service backend`);
    const upstream = formatEndpoint(ip, b.port);
    appNote(this.host, 0, `${this.name}: ${req.method} ${host}${req.target} from ${client} → ${route.label ?? upstream} via ${upstream}`, c.flow);
    this.forward(req, c, port, ip, b.port, hostHeader, (reply, error, why) => {
      if (error) respond(own(reply.status, error, upstream, why));
      else {
        this.record({ ...base, upstream, status: reply.status, error: null });
        respond(reply);
      }
    });
    return undefined;
  }

  private record(e: Omit<IngressProxyEvent, 'time'>): void {
    const ev: IngressProxyEvent = { time: this.host.now, ...e };
    this.log.push(ev);
    this.opts.onProxy?.(ev);
  }

  /** The request as sent upstream. */
  private upstreamRequest(req: HttpRequest, c: TcpConnection, port: number, hostHeader: string | undefined): Uint8Array {
    const clientIp = formatIpv4(c.remoteIp);
    const theirs = httpHeader(req.headers, 'x-forwarded-for');
    const xff = this.opts.forwardedFor === 'replace' || !theirs ? clientIp : `${theirs}, ${clientIp}`;
    const requestId = Array.from({ length: 4 }, () => this.rand.nextUint32().toString(16).padStart(8, '0')).join('');
    const headers: HttpHeader[] = [];
    if (hostHeader !== undefined) headers.push(['Host', hostHeader]);
    headers.push(['X-Request-ID', requestId], ['X-Real-IP', clientIp], ['X-Forwarded-For', xff]);
    if (hostHeader !== undefined) headers.push(['X-Forwarded-Host', hostHeader]);
    headers.push(['X-Forwarded-Port', String(port)], ['X-Forwarded-Proto', 'http'], ['X-Forwarded-Scheme', 'http'], ['X-Scheme', 'http']);
    if (theirs) headers.push(['X-Original-Forwarded-For', theirs]);
    const hadLength = httpHeader(req.headers, 'content-length') !== undefined || httpHeader(req.headers, 'transfer-encoding') !== undefined;
    if (req.body.length > 0 || hadLength) headers.push(['Content-Length', String(req.body.length)]);
    for (const [k, v] of req.headers) if (!NOT_PASSED.has(k.toLowerCase())) headers.push([k, v]);
    let text = `${req.method} ${req.target} HTTP/1.1\r\n`;
    for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
    const head = enc.encode(text + '\r\n');
    const out = new Uint8Array(head.length + req.body.length);
    out.set(head);
    out.set(req.body, head.length);
    return out;
  }

  /** Proxies one request; `done` gets the reply, or an error status with the reason. */
  private forward(req: HttpRequest, c: TcpConnection, port: number, ip: number, upstreamPort: number, hostHeader: string | undefined, done: (reply: HttpReply, error: string | null, why: string) => void): void {
    const sim = this.host.net.sim;
    const bytes = this.upstreamRequest(req, c, port, hostHeader);
    let buf = new Uint8Array(0);
    let finished = false;
    let up: TcpConnection | null = null;
    let timer = sim.after(this.opts.connectTimeoutNs ?? 5 * SECOND_NS, () => finish(null, 'timeout', 'upstream timed out while connecting'));
    const finish = (reply: HttpReply | null, error: string | null, why: string): void => {
      if (finished) return;
      finished = true;
      sim.cancel(timer);
      if (up) {
        this.upstreams.delete(up);
        up.callbacks = { onPeerClose: (x) => x.close() };
        if (up.state === 'SYN_SENT') up.close();
        else if (error && up.state !== 'CLOSED' && up.state !== 'TIME_WAIT') up.abort();
        else if (up.state !== 'CLOSED' && up.state !== 'TIME_WAIT') up.close();
      }
      if (reply) return done(reply, null, why);
      const status = error === 'refused' ? 503 : error === 'timeout' ? 504 : 502;
      done({ status }, error ?? 'malformed', why);
    };
    const tryParse = (eof: boolean): void => {
      const r = parseHttpResponse(buf, 0, buf.length, { eof, requestMethod: req.method });
      if (!r.ok) {
        if (r.error !== 'incomplete' || eof) finish(null, 'malformed', `upstream sent an invalid response (${r.detail})`);
        return;
      }
      const res = r.repr;
      finish({ status: res.status, reason: res.reason, headers: res.headers.filter(([k]) => !NOT_RELAYED.has(k.toLowerCase())), body: res.body }, null, '');
    };
    up = this.host.tcp.connect(
      ip,
      upstreamPort,
      {
        onConnect: (u) => {
          sim.cancel(timer);
          timer = sim.after(this.opts.readTimeoutNs ?? 60 * SECOND_NS, () => finish(null, 'timeout', 'upstream timed out while reading the response'));
          u.send(bytes);
        },
        onData: (_u, data) => {
          const next = new Uint8Array(buf.length + data.length);
          next.set(buf);
          next.set(data, buf.length);
          buf = next;
          tryParse(false);
        },
        onPeerClose: (u) => {
          if (!finished) {
            if (buf.length === 0) finish(null, 'reset', 'upstream prematurely closed the connection');
            else tryParse(true);
          }
          u.close();
        },
        onError: (_u, err: TcpError) => {
          const why = err === 'refused' ? 'connect() to the upstream was refused (the Service has no endpoints)' : err === 'reset' ? 'upstream reset the connection' : err === 'timeout' ? 'upstream timed out' : 'no route to the upstream';
          finish(null, err, why);
        },
      },
      0,
      c.flow,
    );
    this.upstreams.add(up);
  }
}

/** Starts the proxy on `host` (see {@link IngressProxy}). */
export function startIngressProxy(host: Host, opts: IngressProxyOptions): IngressProxy {
  return new IngressProxy(host, opts).start();
}
