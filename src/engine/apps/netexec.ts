/**
 * What runs in a pod: an agnhost-netexec-like server (Kubernetes e2e test image
 * `test/images/agnhost/netexec`) listening on every declared container port
 * (shared/docs/scenario-format.md "What runs in pods").
 *
 * TCP ports speak HTTP/1.1 as Go's net/http server does: `/hostname` (and the legacy
 * `/hostName`) → the pod name; `/clientip` → "ip:port" of the peer as the server sees it
 * (after any SNAT); `/echo?msg=X[&code=N]` → X, URL-decoded, with status N; `/header?key=K`
 * → the request's first K header value (without key: every header as Go's JSON, which shows
 * what a proxy added, e.g. X-Forwarded-For); `/healthz` → 200 with an empty body; `/` → a short
 * text naming pod and container; anything else → Go's "404 page not found". The HTTP framing
 * (pieces, pipelining, keep-alive, Date and Content-Length, 400 for garbage) is Go's, from
 * {@link serveHttp}.
 *
 * UDP ports answer the commands `hostname`, `clientip` and `echo X` (trimmed and lower-cased
 * first, as agnhost does) to the sender; other text gets no reply.
 *
 * Every request served is logged (and passed to `onServe`) so expectations can say "served by
 * pod X" and "the server saw client Y".
 */
import type { Host, UdpHandler } from '../dataplane/host.ts';
import type { TcpConnection } from '../dataplane/socket/tcp.ts';
import type { HttpHeader, HttpRequest } from '../wire/http.ts';
import { latin1 } from '../wire/bytes.ts';
import { appNote, formatEndpoint } from './common.ts';
import { requestPath, serveHttp, type HttpReply, type HttpServer, type HttpServeEvent } from './http-server.ts';

/** A declared container port (Pod `spec.containers[].ports[]`). */
export interface ContainerPortSpec {
  readonly port: number;
  /** TCP (default), UDP or SCTP (SCTP is not served). */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Who runs the server and where. */
export interface NetexecOptions {
  /** The pod name: what `/hostname` answers (os.Hostname() in a pod). */
  readonly pod: string;
  readonly namespace?: string;
  readonly container: string;
  readonly ports: readonly ContainerPortSpec[];
  /** Called for every request served. */
  readonly onServe?: (e: NetexecServeEvent) => void;
  /** Keep every request in `log` (default true; a benchmark serving 100,000 requests does not). */
  readonly keepLog?: boolean;
  /** Wall-clock time of simulated time 0, for Date headers (default: common.ts SIM_EPOCH_MS). */
  readonly epochMs?: number;
}

/** One request served. */
export interface NetexecServeEvent {
  readonly time: number;
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  /** The peer as the server saw it: "ip:port" (after any SNAT). */
  readonly client: string;
  readonly clientIp: number;
  readonly clientPort: number;
  /** The address and port the request arrived at (after any DNAT). */
  readonly local: string;
  /** HTTP method, or "UDP". */
  readonly method: string;
  /** The HTTP request target, or the UDP command as received (trimmed, lower-cased). */
  readonly path: string;
  /** HTTP status, or null for UDP. */
  readonly status: number | null;
  /** The response body (HTTP) or datagram (UDP); null when nothing was sent back. */
  readonly response: string | null;
  /** Trace flow tag of the request. */
  readonly flow: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Decodes application/x-www-form-urlencoded text as Go's url.QueryUnescape does ('+' → space, %XX → byte); malformed escapes are kept as written. */
export function formDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...enc.encode(c));
  }
  return dec.decode(Uint8Array.from(bytes));
}

/** The first value of `key` in a query string ("a=1&b=2"), decoded; "" when absent (Go's FormValue). */
export function queryValue(query: string, key: string): string {
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = formDecode(eq < 0 ? part : part.slice(0, eq));
    if (k === key) return eq < 0 ? '' : formDecode(part.slice(eq + 1));
  }
  return '';
}

/** A running netexec instance (one container's ports on one host). */
export class Netexec {
  /** Every request served, in order. */
  readonly log: NetexecServeEvent[] = [];
  private readonly udpPorts: number[] = [];
  private readonly servers: HttpServer[] = [];
  private running = false;

  constructor(
    readonly host: Host,
    readonly opts: NetexecOptions,
  ) {}

  /** Opens every declared port (TCP: listen; UDP: bind). Throws if a port is taken. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    for (const p of this.opts.ports) {
      const proto = p.protocol ?? 'TCP';
      if (proto === 'TCP') {
        const label = `netexec ${this.namespace}/${this.opts.pod}`;
        const quiet = this.opts.keepLog === false && this.opts.onServe === undefined;
        this.servers.push(serveHttp(this.host, p.port, (req, c) => this.route(c, req), { label, epochMs: this.opts.epochMs, keepLog: !quiet, ...(quiet ? {} : { onServe: (e: HttpServeEvent) => this.served(e) }) }));
      } else if (proto === 'UDP') {
        this.host.bindUdp(p.port, this.udpHandler(p.port));
        this.udpPorts.push(p.port);
      }
    }
    return this;
  }

  /**
   * Stops the program: UDP ports are released (so they answer ICMP port unreachable), TCP
   * ports stop listening (new connections are refused with a RST) and open TCP connections
   * are reset.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const p of this.udpPorts) this.host.unbindUdp(p);
    this.udpPorts.length = 0;
    for (const s of this.servers) s.stop();
    this.servers.length = 0;
  }

  private get namespace(): string {
    return this.opts.namespace ?? 'default';
  }

  private record(e: Omit<NetexecServeEvent, 'time' | 'pod' | 'namespace' | 'container'>): void {
    const ev: NetexecServeEvent = { time: this.host.now, pod: this.opts.pod, namespace: this.namespace, container: this.opts.container, ...e };
    if (this.opts.keepLog !== false) this.log.push(ev);
    this.opts.onServe?.(ev);
  }

  private served(e: HttpServeEvent): void {
    this.record({ protocol: 'TCP', port: e.port, client: e.client, clientIp: e.clientIp, clientPort: e.clientPort, local: e.local, method: e.method, path: e.target, status: e.status, response: e.body, flow: e.flow });
  }

  // ---- UDP ---------------------------------------------------------------------------------------

  private udpHandler(port: number): UdpHandler {
    return {
      onDatagram: (host, pkt, src, sport, dst, _dport, off, len) => {
        if (!this.running) return false;
        const text = latin1(pkt.buf, off, len).trim().toLowerCase();
        const flow = pkt.flow;
        let reply: string | null = null;
        if (text === 'hostname') reply = this.opts.pod;
        else if (text.startsWith('echo ')) reply = text.slice(5);
        else if (text === 'clientip') reply = formatEndpoint(src, sport);
        const client = formatEndpoint(src, sport);
        const uid = pkt.uid;
        if (reply !== null) {
          const bytes = enc.encode(reply);
          host.sendUdp(0, port, src, sport, bytes.length, (b, o) => b.set(bytes, o), flow);
        }
        appNote(this.host, uid, `netexec ${this.namespace}/${this.opts.pod}: UDP ${port} "${text}" from ${client}${reply === null ? ' (unknown command, no reply)' : ` → "${reply}"`}`, flow);
        this.record({ protocol: 'UDP', port, client, clientIp: src, clientPort: sport, local: formatEndpoint(dst, port), method: 'UDP', path: text, status: null, response: reply, flow });
        return false;
      },
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private route(c: TcpConnection, req: HttpRequest): HttpReply {
    const { path, query } = requestPath(req.target);
    const ok = (body: string, status = 200): HttpReply => ({ status, body });
    switch (path) {
      case '/hostname':
      case '/hostName':
        return ok(this.opts.pod);
      case '/clientip':
        return ok(formatEndpoint(c.remoteIp, c.remotePort));
      case '/header': {
        const key = queryValue(query, 'key');
        return ok(key === '' ? goHeaderJson(req.headers) : goHeaderGet(req.headers, key));
      }
      case '/healthz':
        return ok('');
      case '/echo': {
        const msg = queryValue(query, 'msg');
        const code = queryValue(query, 'code');
        if (code === '') return ok(msg);
        if (!/^-?\d+$/.test(code)) return ok(`argument 'code' must be an integer or empty, got "${code}"\n`);
        const n = Number(code);
        return ok(msg, n >= 100 && n <= 999 ? n : 200);
      }
      case '/':
        return ok(`pod ${this.namespace}/${this.opts.pod}, container ${this.opts.container}\n`);
      default:
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
}

/** Go's textproto.CanonicalMIMEHeaderKey for ordinary header names: "x-forwarded-for" → "X-Forwarded-For". */
export function canonicalHeaderKey(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('-');
}

/** Go's Header.Get: the first value of the header, "" when absent. */
function goHeaderGet(headers: readonly HttpHeader[], key: string): string {
  const want = canonicalHeaderKey(key);
  for (const [k, v] of headers) if (canonicalHeaderKey(k) === want) return v;
  return '';
}

/** json.Marshal of a Go request's Header map: canonical keys sorted, value lists, Host excluded (Go moves it to r.Host), HTML characters escaped. */
function goHeaderJson(headers: readonly HttpHeader[]): string {
  const map = new Map<string, string[]>();
  for (const [k, v] of headers) {
    const ck = canonicalHeaderKey(k);
    if (ck === 'Host') continue;
    const list = map.get(ck);
    if (list) list.push(v);
    else map.set(ck, [v]);
  }
  const keys = [...map.keys()].sort();
  const esc = (s: string): string => JSON.stringify(s).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return `{${keys.map((k) => `${esc(k)}:[${map.get(k)!.map(esc).join(',')}]`).join(',')}}`;
}

/** Starts netexec for one container on `host` (see {@link Netexec}). */
export function startNetexec(host: Host, opts: NetexecOptions): Netexec {
  return new Netexec(host, opts).start();
}
