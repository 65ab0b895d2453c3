/**
 * A curl-like HTTP/1.1 client: resolve the URL's host through the stub resolver (unless it is
 * an address), open a TCP connection, send `GET path HTTP/1.1` with `Host`,
 * `User-Agent: curl/8.5.0` and `Accept` for any type (curl's three default headers, in curl's order),
 * read the response (Content-Length or chunked framing, or until the server closes), close,
 * and report what happened with curl's timing points (name lookup, connect, first byte,
 * total; all measured from the start).
 *
 * The simulation is event-driven: the result arrives through a callback, never a Promise.
 */
import type { Host } from '../dataplane/host.ts';
import type { TcpConnection, TcpError } from '../dataplane/socket/tcp.ts';
import type { EventHandle } from '../sim/simulation.ts';
import { formatIpv4, parseIpv4 } from '../wire/addr.ts';
import { parseHttpResponse, type HttpHeader } from '../wire/http.ts';
import { SECOND_NS, appNote, formatEndpoint } from './common.ts';
import { resolve, type Resolution, type ResolveResult, type ResolvConf } from './stub-resolver.ts';

/** Why a request failed (curl's error classes). */
export type HttpError = 'refused' | 'timeout' | 'reset' | 'dns' | 'unreachable' | 'malformed' | 'badurl';

/** Where to connect when no URL is given. */
export interface HttpTarget {
  readonly ip: number;
  readonly port: number;
  /** Request target (default "/"). */
  readonly path?: string;
  /** Host header (default "ip" or "ip:port"). */
  readonly hostHeader?: string;
}

/** What to fetch and how. */
export interface HttpGetOptions {
  /** "http://name[:port]/path?query" (a missing scheme means http, as in curl). */
  readonly url?: string;
  /** Connect here instead of (or, with `url`, instead of resolving) the URL's host — curl's `--connect-to`. */
  readonly target?: HttpTarget;
  /** The source's resolver configuration; needed when the URL's host is a name. */
  readonly resolver?: ResolvConf;
  /** /etc/hosts entries (lower-case name → addresses) consulted before DNS. */
  readonly hosts?: ReadonlyMap<string, readonly number[]>;
  /** Overrides the Host header (scenario `http.host`). */
  readonly hostHeader?: string;
  /** Method (default GET). */
  readonly method?: string;
  /** More request targets fetched one after another on the same connection (curl with several URLs to one host). */
  readonly morePaths?: readonly string[];
  /** Give up after this long, like `curl --max-time` (default 30 s). */
  readonly timeoutNs?: number;
  /** Trace flow tag for every packet of this request (DNS included). */
  readonly flow?: number;
}

/** One response on the connection. */
export interface HttpExchange {
  readonly path: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly HttpHeader[];
  readonly body: string;
  /** When its first byte arrived (ns since the start). */
  readonly firstByteNs: number;
}

/** curl's timing points, in ns since the start (-1 when not reached). */
export interface HttpTimings {
  readonly dnsNs: number;
  readonly connectNs: number;
  readonly firstByteNs: number;
  readonly totalNs: number;
}

/** The outcome of a request. */
export interface HttpResult {
  /** A complete response arrived (whatever its status). */
  readonly ok: boolean;
  /** Status of the first response, 0 without one. */
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly HttpHeader[];
  readonly body: string;
  /** Every response, in order (more than one with `morePaths`). */
  readonly responses: readonly HttpExchange[];
  /** The client's socket "ip:port" ("" before one existed). */
  readonly local: string;
  /** Where it connected, "ip:port" (e.g. the ClusterIP, before any DNAT). */
  readonly remote: string;
  readonly error: HttpError | null;
  /** Human-readable error text (curl-like). */
  readonly errorText: string;
  /** The address the name resolved to (or the literal), null when resolution failed. */
  readonly resolved: number | null;
  /** The stub resolver's full result, when a name was resolved. */
  readonly resolution: ResolveResult | null;
  readonly timings: HttpTimings;
  readonly startedAt: number;
}

/** A request in progress. */
export interface HttpRequestHandle {
  /** Abandons the request (the connection is aborted); the callback is not called. */
  cancel(): void;
  readonly done: boolean;
}

interface ParsedUrl {
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

/** Splits an http URL into host, port (default 80) and request target; null when it is not one. */
export function parseHttpUrl(url: string): ParsedUrl | null {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?([^/?#:]+)(?::(\d{1,5}))?([/?][^#]*)?(?:#.*)?$/.exec(url.trim());
  if (!m) return null;
  if (m[1] !== undefined && m[1].toLowerCase() !== 'http') return null;
  const port = m[3] !== undefined ? Number(m[3]) : 80;
  if (port < 1 || port > 65535) return null;
  let path = m[4] ?? '/';
  if (path.startsWith('?')) path = '/' + path;
  return { host: m[2]!, port, path };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

const ERROR_TEXT: Readonly<Record<HttpError, string>> = Object.freeze({
  refused: 'Failed to connect: Connection refused',
  timeout: 'Operation timed out',
  reset: 'Recv failure: Connection reset by peer',
  dns: 'Could not resolve host',
  unreachable: 'Failed to connect: No route to host',
  malformed: 'Empty or malformed reply from server',
  badurl: 'URL using bad/illegal format or missing URL',
});

class Request implements HttpRequestHandle {
  done = false;
  private readonly start: number;
  private readonly flow: number;
  private timer: EventHandle | null = null;
  private resolution: Resolution | null = null;
  private conn: TcpConnection | null = null;
  private resolved: number | null = null;
  private resolveResult: ResolveResult | null = null;
  private remote = '';
  private local = '';
  private dnsNs = -1;
  private connectNs = -1;
  private firstByteNs = -1;
  private readonly responses: HttpExchange[] = [];
  private buf = new Uint8Array(0);
  private paths: string[] = [];
  private currentFirstByte = -1;
  private hostHeader = '';
  private port = 80;

  constructor(
    private readonly host: Host,
    private readonly opts: HttpGetOptions,
    private readonly callback: (r: HttpResult) => void,
  ) {
    this.start = host.now;
    this.flow = opts.flow ?? 0;
  }

  begin(): void {
    const o = this.opts;
    let name: string | null = null;
    let literal: number | null = null;
    if (o.url !== undefined) {
      const u = parseHttpUrl(o.url);
      if (!u) return this.fail('badurl', `URL "${o.url}" is not an http URL`);
      this.port = u.port;
      this.paths = [u.path, ...(o.morePaths ?? [])];
      this.hostHeader = o.hostHeader ?? (u.port === 80 ? u.host : `${u.host}:${u.port}`);
      literal = parseIpv4(u.host);
      if (literal === null) name = u.host;
    } else if (o.target) {
      this.port = o.target.port;
      this.paths = [o.target.path ?? '/', ...(o.morePaths ?? [])];
      const ipText = formatIpv4(o.target.ip);
      this.hostHeader = o.hostHeader ?? o.target.hostHeader ?? (o.target.port === 80 ? ipText : `${ipText}:${o.target.port}`);
    } else return this.fail('badurl', 'neither url nor target given');
    this.timer = this.host.net.sim.after(o.timeoutNs ?? 30 * SECOND_NS, () => {
      this.timer = null;
      this.fail('timeout', `Operation timed out after ${Math.round((this.host.now - this.start) / 1e6)} milliseconds`);
    });
    if (o.target) return this.connect(o.target.ip, o.target.port);
    if (literal !== null) return this.connect(literal, this.port);
    if (!o.resolver) return this.fail('dns', `Could not resolve host: ${name} (no resolver configuration)`);
    this.resolution = resolve(
      this.host,
      o.resolver,
      name!,
      'getaddrinfo',
      (r) => {
        this.resolution = null;
        this.resolveResult = r;
        this.dnsNs = this.host.now - this.start;
        if (!r.ok) return this.fail('dns', `Could not resolve host: ${name}`);
        const ip = r.addresses[0];
        if (ip === undefined) return this.fail('unreachable', `Failed to connect to ${name}: no IPv4 address (Network is unreachable)`);
        this.connect(ip, this.port);
      },
      { flow: this.flow, hosts: o.hosts },
    );
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup(true);
  }

  private connect(ip: number, port: number): void {
    if (this.done) return;
    this.resolved = ip;
    if (this.dnsNs < 0) this.dnsNs = this.host.now - this.start;
    this.remote = formatEndpoint(ip, port);
    // connect(2) fails at once with ENETUNREACH when the host has no route at all.
    if (!this.host.isLocal(ip) && !this.host.routes.lookup(ip)) return this.fail('unreachable', `Failed to connect to ${this.remote}: Network is unreachable`);
    this.conn = this.host.tcp.connect(
      ip,
      port,
      {
        onConnect: (c) => {
          if (this.done) return;
          this.connectNs = this.host.now - this.start;
          this.local = formatEndpoint(c.localIp, c.localPort);
          appNote(this.host, 0, `http: connected ${this.local} → ${this.remote}`, this.flow);
          this.sendNext(c);
        },
        onData: (c, data) => this.onData(c, data),
        onPeerClose: (c) => {
          if (!this.done) this.onEof();
          c.close();
        },
        onError: (_c, err: TcpError) => {
          if (this.done) return;
          const text =
            err === 'refused'
              ? `Failed to connect to ${this.remote}: Connection refused`
              : err === 'unreachable'
                ? `Failed to connect to ${this.remote}: No route to host`
                : err === 'timeout'
                  ? `Failed to connect to ${this.remote}: Connection timed out`
                  : 'Recv failure: Connection reset by peer';
          this.conn = null;
          this.fail(err, text);
        },
      },
      0,
      this.flow,
    );
    if (!this.local) this.local = formatEndpoint(this.conn.localIp, this.conn.localPort);
  }

  private sendNext(c: TcpConnection): void {
    const path = this.paths[this.responses.length]!;
    const method = this.opts.method ?? 'GET';
    const req = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`;
    this.currentFirstByte = -1;
    c.send(enc.encode(req));
    appNote(this.host, 0, `http: ${method} ${path} (Host: ${this.hostHeader}) → ${this.remote}`, this.flow);
  }

  private onData(c: TcpConnection, data: Uint8Array): void {
    if (this.done) return;
    if (this.firstByteNs < 0) this.firstByteNs = this.host.now - this.start;
    if (this.currentFirstByte < 0) this.currentFirstByte = this.host.now - this.start;
    const next = new Uint8Array(this.buf.length + data.length);
    next.set(this.buf);
    next.set(data, this.buf.length);
    this.buf = next;
    this.tryParse(c, false);
  }

  private tryParse(c: TcpConnection | null, eof: boolean): boolean {
    const r = parseHttpResponse(this.buf, 0, this.buf.length, { eof, requestMethod: this.opts.method ?? 'GET' });
    if (!r.ok) {
      if (r.error === 'incomplete' && !eof) return false;
      this.fail('malformed', eof && this.buf.length === 0 ? 'Empty reply from server' : `Malformed reply from server: ${r.detail}`);
      return true;
    }
    const path = this.paths[this.responses.length]!;
    this.responses.push({ path, status: r.repr.status, reason: r.repr.reason, headers: r.repr.headers, body: dec.decode(r.repr.body), firstByteNs: this.currentFirstByte });
    appNote(this.host, 0, `http: ${r.repr.status} ${r.repr.reason} from ${this.remote} (${r.repr.body.length} bytes) for ${path}`, this.flow);
    this.buf = this.buf.slice(r.consumed);
    const closing = r.repr.headers.some(([k, v]) => k.toLowerCase() === 'connection' && v.toLowerCase().includes('close'));
    if (this.responses.length < this.paths.length && c && !eof && !closing) {
      this.sendNext(c);
      return false;
    }
    this.succeed();
    return true;
  }

  private onEof(): void {
    if (this.buf.length === 0 && this.responses.length > 0) return this.succeed();
    this.tryParse(null, true);
  }

  private succeed(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup(false);
    this.report(null, '');
  }

  private fail(err: HttpError, text: string): void {
    if (this.done) return;
    this.done = true;
    this.cleanup(true);
    appNote(this.host, 0, `http: ${text || ERROR_TEXT[err]}`, this.flow);
    this.report(err, text || ERROR_TEXT[err]);
  }

  private cleanup(abort: boolean): void {
    if (this.timer !== null) this.host.net.sim.cancel(this.timer);
    this.timer = null;
    this.resolution?.cancel();
    this.resolution = null;
    const c = this.conn;
    this.conn = null;
    if (!c) return;
    c.callbacks = { onPeerClose: (x) => x.close() };
    if (c.state === 'CLOSED' || c.state === 'TIME_WAIT') return;
    // close(2) of a socket still connecting sends nothing; an abandoned transfer is reset.
    if (c.state === 'SYN_SENT') c.close();
    else if (abort && this.buf.length > 0) c.abort();
    else c.close();
  }

  private report(error: HttpError | null, errorText: string): void {
    const first = this.responses[0];
    const now = this.host.now - this.start;
    this.callback({
      ok: error === null && first !== undefined,
      status: first?.status ?? 0,
      reason: first?.reason ?? '',
      headers: first?.headers ?? [],
      body: first?.body ?? '',
      responses: this.responses,
      local: this.local,
      remote: this.remote,
      error,
      errorText,
      resolved: this.resolved,
      resolution: this.resolveResult,
      timings: { dnsNs: this.dnsNs, connectNs: this.connectNs, firstByteNs: this.firstByteNs, totalNs: now },
      startedAt: this.start,
    });
  }
}

/** Fetches a URL from `host` like curl; `callback` gets the result once (see {@link HttpResult}). */
export function httpGet(host: Host, opts: HttpGetOptions, callback: (r: HttpResult) => void): HttpRequestHandle {
  const r = new Request(host, opts, callback);
  r.begin();
  return r;
}
