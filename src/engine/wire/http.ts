/**
 * HTTP/1.1 messages (RFC 9112): a request or status line, header fields with their order and
 * case preserved, and a body framed by Content-Length or chunked transfer coding
 * (RFC 9112 §6, §7.1). The parser accepts a prefix of a byte stream and answers
 * "incomplete" until the whole message is there, so a TCP receiver can call it again as
 * segments arrive. Header octets are read as ISO-8859-1 (RFC 9110 §5.5), so nothing is lost.
 */
import { fail, latin1, ok, writeLatin1, type ParseFailure, type Parsed } from './bytes.ts';

/** One header field line: name and value as sent (value without surrounding whitespace). */
export type HttpHeader = readonly [name: string, value: string];

/** An HTTP request. */
export interface HttpRequest {
  readonly method: string;
  /** The request-target as sent ("/hostname", "http://x/…", "*"). */
  readonly target: string;
  /** "HTTP/1.1" or "HTTP/1.0". */
  readonly version: string;
  readonly headers: readonly HttpHeader[];
  /** The body after transfer decoding; a view into the parsed buffer when Content-Length framed. */
  readonly body: Uint8Array;
}

/** An HTTP response. */
export interface HttpResponse {
  readonly version: string;
  readonly status: number;
  /** The reason phrase, possibly empty. */
  readonly reason: string;
  readonly headers: readonly HttpHeader[];
  readonly body: Uint8Array;
}

/** A parse result for a stream prefix: the message and how many bytes it used. Errors are "incomplete" (wait for more) or "malformed". */
export type HttpParsed<T> = { readonly ok: true; readonly repr: T; readonly consumed: number } | ParseFailure;

/** Options for parsing a response. */
export interface HttpParseOptions {
  /** The stream has ended: a response without Content-Length or chunking ends here (RFC 9112 §6.3 rule 8). */
  readonly eof?: boolean;
  /** The method of the request this answers; a response to HEAD has no body (RFC 9110 §9.3.2). */
  readonly requestMethod?: string;
}

/** The default HTTP port and the port agnhost netexec and most demo backends use. */
export const HTTP_PORTS: readonly number[] = Object.freeze([80, 8080]);

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

function startsWithAscii(b: Uint8Array, off: number, end: number, s: string): boolean {
  if (end - off < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Sniffs whether bytes[off, off+len) start an HTTP/1.x message: a known method and a space, or "HTTP/1.". */
export function looksLikeHttp(b: Uint8Array, off = 0, len = b.length - off): 'request' | 'response' | null {
  const end = Math.min(b.length, off + len);
  if (startsWithAscii(b, off, end, 'HTTP/1.')) return 'response';
  for (const m of METHODS) if (startsWithAscii(b, off, end, m + ' ')) return 'request';
  return null;
}

/** The first value of header `name` (case-insensitive, RFC 9110 §5.1), or undefined. */
export function httpHeader(headers: readonly HttpHeader[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

/** A line of the message head with its absolute position (CR LF or a bare LF ends it; RFC 9112 §2.2). */
export interface HttpLine {
  readonly text: string;
  /** Absolute offset of the first byte. */
  readonly off: number;
  /** Length including the line terminator. */
  readonly len: number;
}

/** The head of a message: start line, header fields (with positions) and where the body starts. */
export interface HttpHead {
  readonly startLine: HttpLine;
  readonly headers: readonly (HttpHeader & { readonly line: HttpLine })[];
  /** Absolute offset of the first body byte. */
  readonly bodyOff: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_HEAD = 65536;

/** Splits the head of the message at bytes[off, off+len): "incomplete" until the empty line arrives. */
export function readHttpHead(b: Uint8Array, off = 0, len = b.length - off): Parsed<HttpHead> {
  const end = Math.min(b.length, off + len);
  const lines: HttpLine[] = [];
  let p = off;
  for (;;) {
    let q = p;
    while (q < end && b[q] !== 0x0a) q++;
    if (q >= end) {
      if (end - off > MAX_HEAD) return fail('malformed', 'HTTP head is longer than 64 KiB');
      return fail('incomplete', `HTTP head not finished after ${end - off} bytes`);
    }
    const textEnd = q > p && b[q - 1] === 0x0d ? q - 1 : q;
    const line: HttpLine = { text: latin1(b, p, textEnd - p), off: p, len: q + 1 - p };
    p = q + 1;
    if (line.text === '') {
      // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
      if (lines.length === 0) continue;
      break;
    }
    lines.push(line);
  }
  const [startLine, ...rest] = lines;
  const headers: (HttpHeader & { line: HttpLine })[] = [];
  for (const line of rest) {
    if (line.text[0] === ' ' || line.text[0] === '\t') {
      // Obsolete line folding (RFC 9112 §5.2): replace it with a space.
      const prev = headers.pop();
      if (!prev) return fail('malformed', 'HTTP header continuation line without a header');
      const merged = Object.assign([prev[0], `${prev[1]} ${line.text.trim()}`] as const, {
        line: { text: `${prev.line.text} ${line.text.trim()}`, off: prev.line.off, len: line.off + line.len - prev.line.off },
      });
      headers.push(merged);
      continue;
    }
    const colon = line.text.indexOf(':');
    const name = colon < 0 ? '' : line.text.slice(0, colon);
    // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
    if (!TOKEN.test(name)) return fail('malformed', `HTTP header line "${line.text.slice(0, 40)}" has no valid field name`);
    headers.push(Object.assign([name, line.text.slice(colon + 1).trim()] as const, { line }));
  }
  return ok({ startLine: startLine!, headers, bodyOff: p });
}

type BodyResult = { readonly ok: true; readonly body: Uint8Array; readonly end: number } | ParseFailure;

function decodeChunked(b: Uint8Array, p: number, end: number): BodyResult {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let q = p;
    while (q < end && b[q] !== 0x0a) q++;
    if (q >= end) return fail('incomplete', 'HTTP chunk size line not finished');
    const sizeText = latin1(b, p, q - p).replace(/\r$/, '').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return fail('malformed', `HTTP chunk size "${sizeText.slice(0, 20)}" is not hex`);
    const size = parseInt(sizeText, 16);
    p = q + 1;
    if (size === 0) {
      // Trailer section, then an empty line (RFC 9112 §7.1.2).
      for (;;) {
        let r = p;
        while (r < end && b[r] !== 0x0a) r++;
        if (r >= end) return fail('incomplete', 'HTTP chunked trailer not finished');
        const empty = r === p || (r === p + 1 && b[p] === 0x0d);
        p = r + 1;
        if (empty) break;
      }
      const body = new Uint8Array(total);
      let at = 0;
      for (const c of parts) {
        body.set(c, at);
        at += c.length;
      }
      return { ok: true, body, end: p };
    }
    if (p + size > end) return fail('incomplete', 'HTTP chunk data not finished');
    parts.push(b.subarray(p, p + size));
    total += size;
    p += size;
    if (p < end && b[p] === 0x0d) p++;
    if (p >= end) return fail('incomplete', 'HTTP chunk terminator not received');
    if (b[p] !== 0x0a) return fail('malformed', 'HTTP chunk data is not followed by CRLF');
    p++;
  }
}

function readBody(b: Uint8Array, head: HttpHead, end: number, untilClose: 'none' | 'eof' | 'wait'): BodyResult {
  const te = httpHeader(head.headers, 'transfer-encoding');
  if (te !== undefined) {
    // RFC 9112 §6.3 rule 4: chunked must be the final coding; it overrides Content-Length.
    if (!/(^|,)\s*chunked\s*$/i.test(te)) return fail('malformed', `HTTP transfer coding "${te}" is not supported`);
    return decodeChunked(b, head.bodyOff, end);
  }
  const lengths = head.headers.filter(([k]) => k.toLowerCase() === 'content-length').map(([, v]) => v);
  if (lengths.length > 0) {
    const values = new Set(lengths.flatMap((v) => v.split(',').map((s) => s.trim())));
    const [v] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(v!)) return fail('malformed', `HTTP Content-Length "${lengths.join(', ')}" is invalid`);
    const n = Number(v);
    if (head.bodyOff + n > end) return fail('incomplete', `HTTP body has ${end - head.bodyOff} of ${n} bytes`);
    return { ok: true, body: b.subarray(head.bodyOff, head.bodyOff + n), end: head.bodyOff + n };
  }
  if (untilClose === 'none') return { ok: true, body: b.subarray(head.bodyOff, head.bodyOff), end: head.bodyOff };
  if (untilClose === 'wait') return fail('incomplete', 'HTTP response body runs until the connection closes');
  return { ok: true, body: b.subarray(head.bodyOff, end), end };
}

/** Parses an HTTP request from the start of bytes[off, off+len). A request without Content-Length or chunking has no body (RFC 9112 §6.3 rule 6). */
export function parseHttpRequest(b: Uint8Array, off = 0, len = b.length - off): HttpParsed<HttpRequest> {
  const end = Math.min(b.length, off + len);
  const h = readHttpHead(b, off, end - off);
  if (!h.ok) return h;
  const parts = h.repr.startLine.text.split(' ');
  if (parts.length !== 3 || !TOKEN.test(parts[0]!) || parts[1] === '' || !/^HTTP\/\d\.\d$/.test(parts[2]!)) {
    return fail('malformed', `HTTP request line "${h.repr.startLine.text.slice(0, 60)}" is not "method target HTTP/x.y"`);
  }
  const body = readBody(b, h.repr, end, 'none');
  if (!body.ok) return body;
  return {
    ok: true,
    repr: { method: parts[0]!, target: parts[1]!, version: parts[2]!, headers: h.repr.headers.map(([k, v]) => [k, v] as const), body: body.body },
    consumed: body.end - off,
  };
}

/** Parses an HTTP response from the start of bytes[off, off+len). */
export function parseHttpResponse(b: Uint8Array, off = 0, len = b.length - off, opts: HttpParseOptions = {}): HttpParsed<HttpResponse> {
  const end = Math.min(b.length, off + len);
  const h = readHttpHead(b, off, end - off);
  if (!h.ok) return h;
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(h.repr.startLine.text);
  if (!m) return fail('malformed', `HTTP status line "${h.repr.startLine.text.slice(0, 60)}" is not "HTTP/x.y code reason"`);
  const status = Number(m[2]);
  // RFC 9112 §6.3 rules 1-2: 1xx, 204, 304 and replies to HEAD have no body.
  const noBody = status < 200 || status === 204 || status === 304 || opts.requestMethod?.toUpperCase() === 'HEAD';
  const body = noBody
    ? ({ ok: true, body: b.subarray(h.repr.bodyOff, h.repr.bodyOff), end: h.repr.bodyOff } as const)
    : readBody(b, h.repr, end, opts.eof ? 'eof' : 'wait');
  if (!body.ok) return body;
  return {
    ok: true,
    repr: { version: m[1]!, status, reason: m[3] ?? '', headers: h.repr.headers.map(([k, v]) => [k, v] as const), body: body.body },
    consumed: body.end - off,
  };
}

function isChunked(headers: readonly HttpHeader[]): boolean {
  const te = httpHeader(headers, 'transfer-encoding');
  return te !== undefined && /(^|,)\s*chunked\s*$/i.test(te);
}

function headLen(startLine: string, headers: readonly HttpHeader[]): number {
  let n = startLine.length + 2;
  for (const [k, v] of headers) n += k.length + 2 + v.length + 2;
  return n + 2;
}

function bodyWireLen(headers: readonly HttpHeader[], body: Uint8Array): number {
  if (!isChunked(headers)) return body.length;
  // One chunk (if any) then the last chunk: "<hex>\r\n<data>\r\n0\r\n\r\n".
  return (body.length ? body.length.toString(16).length + 2 + body.length + 2 : 0) + 5;
}

function emitMessage(startLine: string, headers: readonly HttpHeader[], body: Uint8Array, b: Uint8Array, off: number): number {
  let p = off;
  p += writeLatin1(b, p, startLine + '\r\n');
  for (const [k, v] of headers) p += writeLatin1(b, p, `${k}: ${v}\r\n`);
  p += writeLatin1(b, p, '\r\n');
  if (isChunked(headers)) {
    if (body.length) {
      p += writeLatin1(b, p, body.length.toString(16) + '\r\n');
      b.set(body, p);
      p += body.length;
      p += writeLatin1(b, p, '\r\n');
    }
    p += writeLatin1(b, p, '0\r\n\r\n');
  } else {
    b.set(body, p);
    p += body.length;
  }
  return p - off;
}

function requestLine(r: HttpRequest): string {
  return `${r.method} ${r.target} ${r.version}`;
}

function statusLine(r: HttpResponse): string {
  return `${r.version} ${r.status}${r.reason === '' ? '' : ' ' + r.reason}`;
}

/** The encoded length of `req`. */
export function httpRequestBufferLen(req: HttpRequest): number {
  return headLen(requestLine(req), req.headers) + bodyWireLen(req.headers, req.body);
}

/** The encoded length of `res`. */
export function httpResponseBufferLen(res: HttpResponse): number {
  return headLen(statusLine(res), res.headers) + bodyWireLen(res.headers, res.body);
}

/**
 * Writes `req` at `off`; returns its length. Headers are written verbatim in order (add
 * Content-Length yourself); with "Transfer-Encoding: chunked" the body goes out as one chunk.
 */
export function emitHttpRequest(req: HttpRequest, b: Uint8Array, off = 0): number {
  return emitMessage(requestLine(req), req.headers, req.body, b, off);
}

/** Writes `res` at `off`; returns its length (see {@link emitHttpRequest}). */
export function emitHttpResponse(res: HttpResponse, b: Uint8Array, off = 0): number {
  return emitMessage(statusLine(res), res.headers, res.body, b, off);
}

/** Encodes `req` into a new array. */
export function encodeHttpRequest(req: HttpRequest): Uint8Array {
  const buf = new Uint8Array(httpRequestBufferLen(req));
  emitHttpRequest(req, buf, 0);
  return buf;
}

/** Encodes `res` into a new array. */
export function encodeHttpResponse(res: HttpResponse): Uint8Array {
  const buf = new Uint8Array(httpResponseBufferLen(res));
  emitHttpResponse(res, buf, 0);
  return buf;
}
