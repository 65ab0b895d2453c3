/**
 * An HTTP/1.1 server on a simulated host's TCP stack, shaped like Go's net/http server (the
 * default) or like nginx (for the ingress proxy). One listener, one handler; the machinery
 * around the handler is what real servers do:
 *
 * - Requests may arrive split over segments or pipelined; each is parsed once complete and
 *   answered in order. A handler may answer at once (return the reply) or later (return
 *   nothing and call `respond`); pipelined requests wait behind a deferred one.
 * - Keep-alive: HTTP/1.1 stays open unless the request says `Connection: close`; HTTP/1.0
 *   closes unless it says `keep-alive`. The server never closes an idle connection itself.
 * - A request that does not parse, or an HTTP/1.1 request without Host, gets 400 and the
 *   connection is closed.
 * - Go flavour (net/http server.go): status line in the request's version, the handler's
 *   headers sorted by name, then Date, Content-Length, a default Content-Type when the handler
 *   set none and the body is not empty, and Connection when the version's default does not
 *   hold. The 400 is Go's bare "400 Bad Request[: why]" without Date or length.
 * - nginx flavour (ngx_http_header_filter_module): status line always HTTP/1.1, no Server
 *   header (ingress-nginx clears it), then Date, Content-Type, Content-Length, Connection
 *   (keep-alive or close), then the handler's other headers in their order. Errors use
 *   nginx's HTML error page.
 *
 * Every response is logged (and passed to `onServe`) and noted in the trace.
 */
import type { Host } from '../dataplane/host.ts';
import type { TcpCallbacks, TcpConnection } from '../dataplane/socket/tcp.ts';
import { httpHeader, parseHttpRequest, type HttpHeader, type HttpRequest } from '../wire/http.ts';
import { SIM_EPOCH_MS, appNote, formatEndpoint, httpDate, listenTcp, unlistenTcp } from './common.ts';

/** Which real server's framing the responses copy. */
export type HttpServerFlavor = 'go' | 'nginx';

/** What a handler answers. */
export interface HttpReply {
  readonly status: number;
  /** The body; "" when absent. */
  readonly body?: string | Uint8Array;
  /** Headers the handler sets itself (Go: written first, sorted; nginx: after the fixed ones). */
  readonly headers?: readonly HttpHeader[];
  /** The reason phrase; default the flavour's text for the status (a proxy passes its upstream's). */
  readonly reason?: string;
}

/** Sends the reply to a request whose handler returned nothing (at most once; later calls are ignored). */
export type HttpRespond = (reply: HttpReply) => void;

/**
 * Answers one request: return the reply, or return nothing and call `respond` later (the
 * connection waits; pipelined requests queue behind this one).
 */
export type HttpHandler = (req: HttpRequest, conn: TcpConnection, respond: HttpRespond) => HttpReply | undefined | void;

/** One response sent. */
export interface HttpServeEvent {
  readonly time: number;
  readonly port: number;
  /** The peer as the server saw it: "ip:port" (after any SNAT). */
  readonly client: string;
  readonly clientIp: number;
  readonly clientPort: number;
  /** The address and port the request arrived at (after any DNAT). */
  readonly local: string;
  /** "" when the request did not parse. */
  readonly method: string;
  /** The request target as sent; "" when the request did not parse. */
  readonly target: string;
  readonly status: number;
  /** The response body as text. */
  readonly body: string;
  /** The connection closes after this response. */
  readonly closing: boolean;
  /** The parsed request; null for a request that did not parse. */
  readonly request: HttpRequest | null;
  /** Trace flow tag of the connection. */
  readonly flow: number;
}

/** How the server behaves and reports. */
export interface HttpServerOptions {
  /** Prefix of the trace notes, e.g. "netexec default/web-0" (default "http HOST:PORT"). */
  readonly label?: string;
  /** Go (default) or nginx framing. */
  readonly flavor?: HttpServerFlavor;
  /** Wall-clock time of simulated time 0, for Date headers (default {@link SIM_EPOCH_MS}). */
  readonly epochMs?: number;
  /** Called for every response sent. */
  readonly onServe?: (e: HttpServeEvent) => void;
  /** Keep every response in `log` (default true). */
  readonly keepLog?: boolean;
}

/** A listening server. */
export interface HttpServer {
  readonly host: Host;
  readonly port: number;
  /** Every response sent, in order. */
  readonly log: readonly HttpServeEvent[];
  readonly running: boolean;
  /** Stops listening (later connections are refused) and resets open connections. */
  stop(): void;
}

/** Go's http.StatusText for the codes servers here send. */
export const GO_STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
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

/** nginx's status lines (ngx_http_status_lines), which differ from Go's in places ("Gateway Time-out"). */
export const NGINX_STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
});

/** nginx's built-in error page for `status` (server_tokens off: no version), CRLF line ends as nginx writes them. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${NGINX_STATUS_TEXT[status] ?? ''}`.trimEnd();
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Per-connection parser and queue state. */
interface ConnState {
  buf: Uint8Array;
  /** A request is waiting for its deferred reply. */
  busy: boolean;
  /** Inside pump(): a synchronous reply must not re-enter it. */
  pumping: boolean;
  /** A response said close: nothing more is read or sent. */
  closing: boolean;
  /** The client sent FIN. */
  peerClosed: boolean;
  /** The connection failed or finished: deferred replies are dropped. */
  dead: boolean;
}

function isOpenForSend(c: TcpConnection): boolean {
  return c.state === 'ESTABLISHED' || c.state === 'CLOSE_WAIT';
}

/** Whether a status forbids a body (RFC 9110 §15: 1xx, 204, 304). */
function bodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

class Server implements HttpServer {
  readonly log: HttpServeEvent[] = [];
  running = true;
  private readonly conns = new Set<TcpConnection>();
  private readonly flavor: HttpServerFlavor;
  private readonly label: string;

  constructor(
    readonly host: Host,
    readonly port: number,
    private readonly handler: HttpHandler,
    private readonly opts: HttpServerOptions,
  ) {
    this.flavor = opts.flavor ?? 'go';
    this.label = opts.label ?? `http ${host.name}:${port}`;
    listenTcp(host, port, () => this.accept());
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    unlistenTcp(this.host, this.port);
    for (const c of [...this.conns]) c.abort();
    this.conns.clear();
  }

  private accept(): TcpCallbacks {
    const st: ConnState = { buf: new Uint8Array(0), busy: false, pumping: false, closing: false, peerClosed: false, dead: false };
    const forget = (c: TcpConnection): void => {
      st.dead = true;
      this.conns.delete(c);
    };
    return {
      onConnect: (c) => {
        if (!this.running) return c.abort();
        this.conns.add(c);
      },
      onData: (c, data) => {
        if (!this.running) return c.abort();
        if (st.closing) return;
        const next = new Uint8Array(st.buf.length + data.length);
        next.set(st.buf);
        next.set(data, st.buf.length);
        st.buf = next;
        this.pump(c, st);
      },
      onPeerClose: (c) => {
        st.peerClosed = true;
        if (!st.busy) {
          this.conns.delete(c);
          c.close();
        }
      },
      onClosed: forget,
      onError: forget,
    };
  }

  /** Parses and answers the requests buffered on a connection, in order. */
  private pump(c: TcpConnection, st: ConnState): void {
    st.pumping = true;
    try {
      while (!st.busy && !st.closing && !st.dead && st.buf.length > 0) {
        const r = parseHttpRequest(st.buf);
        if (!r.ok && r.error === 'incomplete') return;
        // Go and nginx both refuse an HTTP/1.1 request that names no Host.
        const noHost = r.ok && r.repr.version !== 'HTTP/1.0' && httpHeader(r.repr.headers, 'host') === undefined;
        if (!r.ok || noHost) {
          st.closing = true;
          this.badRequest(c, noHost ? 'missing required Host header' : '', r.ok ? r.repr : null, r.ok ? 'no Host header' : r.detail);
          return;
        }
        st.buf = st.buf.slice(r.consumed);
        this.dispatch(c, st, r.repr);
      }
    } finally {
      st.pumping = false;
    }
    if (!st.busy && st.peerClosed && !st.closing && !st.dead) {
      st.closing = true;
      c.close();
    }
  }

  private dispatch(c: TcpConnection, st: ConnState, req: HttpRequest): void {
    st.busy = true;
    let answered = false;
    const respond: HttpRespond = (reply) => {
      if (answered) return;
      answered = true;
      st.busy = false;
      if (st.dead || !this.running || !isOpenForSend(c)) return;
      const close = this.write(c, req, reply, st.peerClosed);
      if (close) {
        st.closing = true;
        return;
      }
      if (!st.pumping) this.pump(c, st);
    };
    const r = this.handler(req, c, respond);
    if (r) respond(r);
  }

  /** Writes one response; returns true when the connection closes after it. */
  private write(c: TcpConnection, req: HttpRequest, reply: HttpReply, peerClosed: boolean): boolean {
    const is11 = req.version !== 'HTTP/1.0';
    const tokens = (httpHeader(req.headers, 'connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
    const close = (is11 ? tokens.includes('close') : !tokens.includes('keep-alive')) || peerClosed;
    const head = req.method.toUpperCase() === 'HEAD';
    const raw = reply.body ?? '';
    const bodyBytes = bodyless(reply.status) ? new Uint8Array(0) : typeof raw === 'string' ? enc.encode(raw) : raw;
    const headText = this.flavor === 'nginx' ? this.nginxHead(reply, bodyBytes.length, close) : this.goHead(reply, bodyBytes.length, close, is11);
    const headBytes = enc.encode(headText);
    const out = new Uint8Array(headBytes.length + (head ? 0 : bodyBytes.length));
    out.set(headBytes);
    if (!head) out.set(bodyBytes, headBytes.length);
    c.send(out);
    if (close) c.close();
    const client = formatEndpoint(c.remoteIp, c.remotePort);
    this.record(c, req.method, req.target, reply.status, dec.decode(bodyBytes), close, req);
    appNote(this.host, 0, `${this.label}: ${req.method} ${req.target} from ${client} → ${reply.status}${close ? ' (closing)' : ''}`, c.flow);
    return close;
  }

  private goHead(reply: HttpReply, bodyLen: number, close: boolean, is11: boolean): string {
    const own = reply.headers ?? [];
    const headers: HttpHeader[] = [...own].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    headers.push(['Date', this.date()]);
    if (!bodyless(reply.status)) {
      headers.push(['Content-Length', String(bodyLen)]);
      if (bodyLen > 0 && !own.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'text/plain; charset=utf-8']);
    }
    if (close && is11) headers.push(['Connection', 'close']);
    else if (!is11 && !close) headers.push(['Connection', 'keep-alive']);
    const reason = reply.reason ?? GO_STATUS_TEXT[reply.status] ?? `status code ${reply.status}`;
    let text = `${is11 ? 'HTTP/1.1' : 'HTTP/1.0'} ${reply.status} ${reason}\r\n`;
    for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
    return text + '\r\n';
  }

  private nginxHead(reply: HttpReply, bodyLen: number, close: boolean): string {
    const own = reply.headers ?? [];
    const fixed = new Set(['server', 'date', 'content-type', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);
    const reason = reply.reason ?? NGINX_STATUS_TEXT[reply.status] ?? '';
    let text = `HTTP/1.1 ${reply.status}${reason ? ` ${reason}` : ''}\r\n`;
    text += `Date: ${this.date()}\r\n`;
    const ct = httpHeader(own, 'content-type');
    if (ct !== undefined) text += `Content-Type: ${ct}\r\n`;
    if (!bodyless(reply.status)) text += `Content-Length: ${bodyLen}\r\n`;
    text += `Connection: ${close ? 'close' : 'keep-alive'}\r\n`;
    for (const [k, v] of own) if (!fixed.has(k.toLowerCase())) text += `${k}: ${v}\r\n`;
    return text + '\r\n';
  }

  private date(): string {
    return httpDate((this.opts.epochMs ?? SIM_EPOCH_MS) + Math.floor(this.host.now / 1e6));
  }

  /** The answer to a request that cannot be parsed, then close (Go: net/http server.go; nginx: its 400 page). */
  private badRequest(c: TcpConnection, why: string, req: HttpRequest | null, detail: string): void {
    let text: string;
    let body: string;
    if (this.flavor === 'nginx') {
      body = nginxErrorPage(400);
      text = `HTTP/1.1 400 Bad Request\r\nDate: ${this.date()}\r\nContent-Type: text/html\r\nContent-Length: ${enc.encode(body).length}\r\nConnection: close\r\n\r\n${body}`;
    } else {
      body = `400 Bad Request${why ? `: ${why}` : ''}`;
      text = `HTTP/1.1 ${body}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${body}`;
    }
    c.send(enc.encode(text));
    c.close();
    const client = formatEndpoint(c.remoteIp, c.remotePort);
    this.record(c, req?.method ?? '', req?.target ?? '', 400, body, true, req);
    appNote(this.host, 0, `${this.label}: bad request from ${client}: ${detail} → 400`, c.flow);
  }

  private record(c: TcpConnection, method: string, target: string, status: number, body: string, closing: boolean, request: HttpRequest | null): void {
    if (this.opts.keepLog === false && this.opts.onServe === undefined) return;
    const e: HttpServeEvent = {
      time: this.host.now,
      port: this.port,
      client: formatEndpoint(c.remoteIp, c.remotePort),
      clientIp: c.remoteIp,
      clientPort: c.remotePort,
      local: formatEndpoint(c.localIp, c.localPort),
      method,
      target,
      status,
      body,
      closing,
      request,
      flow: c.flow,
    };
    if (this.opts.keepLog !== false) this.log.push(e);
    this.opts.onServe?.(e);
  }
}

/**
 * Serves HTTP on TCP `port` of `host` (throws if the port is taken). `handler` answers each
 * request; see {@link HttpHandler} for deferred answers.
 */
export function serveHttp(host: Host, port: number, handler: HttpHandler, opts: HttpServerOptions = {}): HttpServer {
  return new Server(host, port, handler, opts);
}

/** The path of a request target without query (absolute-form targets reduced to their path). */
export function requestPath(target: string): { path: string; query: string } {
  let t = target;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*(\/.*)?$/.exec(t);
  if (abs) t = abs[1] ?? '/';
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: '' } : { path: t.slice(0, q), query: t.slice(q + 1) };
}
