/**
 * What runs in a pod: an agnhost-netexec-like server (Kubernetes e2e test image
 * `test/images/agnhost/netexec`) listening on every declared container port
 * (shared/docs/scenario-format.md "What runs in pods").
 *
 * TCP ports speak HTTP/1.1 as Go's net/http server does: `/hostname` (and the legacy
 * `/hostName`) → the pod name; `/clientip` → "ip:port" of the peer as the server sees it
 * (after any SNAT); `/echo?msg=X[&code=N]` → X, URL-decoded, with status N; `/healthz` → 200
 * with an empty body; `/` → a short text naming pod and container; anything else → Go's
 * "404 page not found". Requests may arrive in pieces or pipelined; each response carries
 * Date and an exact Content-Length; `Connection: close` (or HTTP/1.0 without keep-alive) closes
 * after the response, otherwise the connection stays open until the client closes it. A
 * request that does not parse gets Go's "400 Bad Request" and the connection is closed.
 *
 * UDP ports answer the commands `hostname`, `clientip` and `echo X` (trimmed and lower-cased
 * first, as agnhost does) to the sender; other text gets no reply.
 *
 * Every request served is logged (and passed to `onServe`) so expectations can say "served by
 * pod X" and "the server saw client Y".
 */
import type { Host, UdpHandler } from '../dataplane/host.ts';
import type { TcpCallbacks, TcpConnection } from '../dataplane/socket/tcp.ts';
import { httpHeader, parseHttpRequest, type HttpHeader, type HttpRequest } from '../wire/http.ts';
import { latin1 } from '../wire/bytes.ts';
import { SIM_EPOCH_MS, appNote, formatEndpoint, httpDate, listenTcp, unlistenTcp } from './common.ts';

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
  /** Wall-clock time of simulated time 0, for Date headers (default {@link SIM_EPOCH_MS}). */
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

/** Go's http.StatusText for the codes netexec is likely to send. */
const REASONS: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  412: 'Precondition Failed',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
});

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

interface Routed {
  status: number;
  body: string;
  /** Headers the handler set itself (written first, sorted, as Go does). */
  handlerHeaders: HttpHeader[];
}

/** A running netexec instance (one container's ports on one host). */
export class Netexec {
  /** Every request served, in order. */
  readonly log: NetexecServeEvent[] = [];
  private readonly udpPorts: number[] = [];
  private readonly tcpPorts: number[] = [];
  private running = false;
  private readonly conns = new Set<TcpConnection>();

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
        listenTcp(this.host, p.port, (c) => this.accept(c, p.port));
        this.tcpPorts.push(p.port);
      } else if (proto === 'UDP') {
        this.host.bindUdp(p.port, this.udpHandler(p.port));
        this.udpPorts.push(p.port);
      }
    }
    return this;
  }

  /**
   * Stops the program: UDP ports are released (so they answer ICMP port unreachable) and open
   * TCP connections are reset. The TCP stack has no way to stop listening, so later TCP
   * connections are accepted and then reset (see {@link listenTcp}).
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const p of this.udpPorts) this.host.unbindUdp(p);
    this.udpPorts.length = 0;
    for (const p of this.tcpPorts) unlistenTcp(this.host, p);
    this.tcpPorts.length = 0;
    for (const c of [...this.conns]) c.abort();
    this.conns.clear();
  }

  private get namespace(): string {
    return this.opts.namespace ?? 'default';
  }

  private record(e: Omit<NetexecServeEvent, 'time' | 'pod' | 'namespace' | 'container'>): void {
    const ev: NetexecServeEvent = { time: this.host.now, pod: this.opts.pod, namespace: this.namespace, container: this.opts.container, ...e };
    this.log.push(ev);
    this.opts.onServe?.(ev);
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

  private accept(_c: TcpConnection, port: number): TcpCallbacks {
    let buf = new Uint8Array(0);
    let closing = false;
    return {
      onConnect: (c) => {
        if (!this.running) return c.abort();
        this.conns.add(c);
      },
      onData: (c, data) => {
        if (!this.running) return c.abort();
        if (closing) return;
        const next = new Uint8Array(buf.length + data.length);
        next.set(buf);
        next.set(data, buf.length);
        buf = next;
        while (buf.length > 0 && !closing) {
          const r = parseHttpRequest(buf);
          if (!r.ok && r.error === 'incomplete') return;
          // Go's net/http: an HTTP/1.1 request must name its Host.
          const noHost = r.ok && r.repr.version !== 'HTTP/1.0' && httpHeader(r.repr.headers, 'host') === undefined;
          if (!r.ok || noHost) {
            closing = true;
            this.badRequest(c, port, r.ok ? 'missing required Host header' : '', r.ok ? r.repr : null, r.ok ? 'no Host header' : r.detail);
            return;
          }
          buf = buf.slice(r.consumed);
          closing = this.serve(c, port, r.repr);
        }
      },
      onPeerClose: (c) => {
        this.conns.delete(c);
        c.close();
      },
      onClosed: (c) => this.conns.delete(c),
      onError: (c) => this.conns.delete(c),
    };
  }

  /** Go's answer to a request it cannot parse: "400 Bad Request[: why]" with no Date or length, then close (net/http server.go). */
  private badRequest(c: TcpConnection, port: number, why: string, req: HttpRequest | null, detail: string): void {
    const text = `400 Bad Request${why ? `: ${why}` : ''}`;
    c.send(enc.encode(`HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`));
    c.close();
    const client = formatEndpoint(c.remoteIp, c.remotePort);
    this.record({ protocol: 'TCP', port, client, clientIp: c.remoteIp, clientPort: c.remotePort, local: formatEndpoint(c.localIp, c.localPort), method: req?.method ?? '', path: req?.target ?? '', status: 400, response: text, flow: c.flow });
    appNote(this.host, 0, `netexec ${this.namespace}/${this.opts.pod}: bad request from ${client}: ${detail} → 400`, c.flow);
  }

  /** Answers one request; returns true when the connection closes after it. */
  private serve(c: TcpConnection, port: number, req: HttpRequest): boolean {
    const routed = this.route(c, req);
    const is11 = req.version !== 'HTTP/1.0';
    const connHdr = (httpHeader(req.headers, 'connection') ?? '').toLowerCase();
    const tokens = connHdr.split(',').map((t) => t.trim());
    const close = is11 ? tokens.includes('close') : !tokens.includes('keep-alive');
    const head = req.method.toUpperCase() === 'HEAD';
    const bodyBytes = enc.encode(routed.body);
    // Go: the handler's own headers sorted, then Date, Content-Length, a sniffed Content-Type, Connection.
    const headers: HttpHeader[] = [...routed.handlerHeaders].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    headers.push(['Date', httpDate((this.opts.epochMs ?? SIM_EPOCH_MS) + Math.floor(this.host.now / 1e6))]);
    headers.push(['Content-Length', String(bodyBytes.length)]);
    if (bodyBytes.length > 0 && !routed.handlerHeaders.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'text/plain; charset=utf-8']);
    if (close && is11) headers.push(['Connection', 'close']);
    else if (!is11 && !close) headers.push(['Connection', 'keep-alive']);
    const reason = REASONS[routed.status] ?? `status code ${routed.status}`;
    let text = `${is11 ? 'HTTP/1.1' : 'HTTP/1.0'} ${routed.status} ${reason}\r\n`;
    for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
    text += '\r\n';
    const headBytes = enc.encode(text);
    const out = new Uint8Array(headBytes.length + (head ? 0 : bodyBytes.length));
    out.set(headBytes);
    if (!head) out.set(bodyBytes, headBytes.length);
    c.send(out);
    if (close) c.close();
    const client = formatEndpoint(c.remoteIp, c.remotePort);
    this.record({ protocol: 'TCP', port, client, clientIp: c.remoteIp, clientPort: c.remotePort, local: formatEndpoint(c.localIp, c.localPort), method: req.method, path: req.target, status: routed.status, response: routed.body, flow: c.flow });
    appNote(this.host, 0, `netexec ${this.namespace}/${this.opts.pod}: ${req.method} ${req.target} from ${client} → ${routed.status}${close ? ' (closing)' : ''}`, c.flow);
    return close;
  }

  private route(c: TcpConnection, req: HttpRequest): Routed {
    let target = req.target;
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*(\/.*)?$/.exec(target);
    if (abs) target = abs[1] ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const ok = (body: string, status = 200): Routed => ({ status, body, handlerHeaders: [] });
    switch (path) {
      case '/hostname':
      case '/hostName':
        return ok(this.opts.pod);
      case '/clientip':
        return ok(formatEndpoint(c.remoteIp, c.remotePort));
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
          handlerHeaders: [
            ['Content-Type', 'text/plain; charset=utf-8'],
            ['X-Content-Type-Options', 'nosniff'],
          ],
        };
    }
  }
}

/** Starts netexec for one container on `host` (see {@link Netexec}). */
export function startNetexec(host: Host, opts: NetexecOptions): Netexec {
  return new Netexec(host, opts).start();
}
