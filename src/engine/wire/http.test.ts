import { describe, expect, it } from 'vitest';
import { hex, latin1, toHex } from './bytes.ts';
import {
  emitHttpRequest,
  encodeHttpRequest,
  encodeHttpResponse,
  httpHeader,
  httpRequestBufferLen,
  looksLikeHttp,
  parseHttpRequest,
  parseHttpResponse,
  readHttpHead,
  type HttpResponse,
} from './http.ts';
import { HTTP_GET, HTTP_RESPONSE } from './testdata/fixtures.ts';
import { must } from './testdata/util.ts';

const P = 54; // Ethernet 14 + IPv4 20 + TCP 20
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('http', () => {
  const get = hex(HTTP_GET);
  const res = hex(HTTP_RESPONSE);

  it('parses a request with header order and case preserved', () => {
    const r = parseHttpRequest(get, P);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.consumed).toBe(get.length - P);
    expect(r.repr).toMatchObject({ method: 'GET', target: '/hostname', version: 'HTTP/1.1' });
    expect(r.repr.headers).toEqual([
      ['Host', 'backend:8080'],
      ['User-Agent', 'kubewire/0.1'],
      ['Accept', '*/*'],
    ]);
    expect(r.repr.body.length).toBe(0);
    expect(httpHeader(r.repr.headers, 'user-agent')).toBe('kubewire/0.1');
    expect(httpHeader(r.repr.headers, 'cookie')).toBeUndefined();
  });

  it('parses a response body framed by Content-Length', () => {
    const r = parseHttpResponse(res, P);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.repr).toMatchObject({ version: 'HTTP/1.1', status: 200, reason: 'OK' });
    expect(latin1(r.repr.body, 0, r.repr.body.length)).toBe('backend-1\r\n');
  });

  it('re-emits request and response byte for byte', () => {
    const q = parseHttpRequest(get, P);
    const s = parseHttpResponse(res, P);
    if (!q.ok || !s.ok) throw new Error('parse failed');
    expect(toHex(encodeHttpRequest(q.repr))).toBe(toHex(get, P));
    expect(toHex(encodeHttpResponse(s.repr))).toBe(toHex(res, P));
    const b = new Uint8Array(httpRequestBufferLen(q.repr) + 3);
    expect(emitHttpRequest(q.repr, b, 3)).toBe(get.length - P);
  });

  it('answers "incomplete" for every proper prefix of a stream', () => {
    for (const [f, parse] of [
      [get, (b: Uint8Array) => parseHttpRequest(b)],
      [res, (b: Uint8Array) => parseHttpResponse(b)],
    ] as const) {
      const msg = f.slice(P);
      for (let n = 0; n < msg.length; n++) {
        const r = parse(msg.subarray(0, n));
        expect(r.ok === false && r.error).toBe('incomplete');
      }
      expect(parse(msg).ok).toBe(true);
    }
  });

  it('reports how much of a pipelined stream one message used', () => {
    const two = text('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = parseHttpRequest(two);
    expect(a.ok && a.consumed).toBe(28);
    const b = parseHttpRequest(two, 28);
    expect(b.ok && b.repr.target).toBe('/b');
  });

  it('frames responses without Content-Length by status, method and end of stream (RFC 9112 §6.3)', () => {
    const close = text('HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello');
    const wait = parseHttpResponse(close);
    expect(wait.ok === false && wait.error).toBe('incomplete');
    const eof = parseHttpResponse(close, 0, close.length, { eof: true });
    expect(eof.ok && latin1(eof.repr.body, 0, 5)).toBe('hello');
    const noContent = parseHttpResponse(text('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(noContent.ok && noContent.repr.body.length).toBe(0);
    const head = parseHttpResponse(text('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n'), 0, undefined, { requestMethod: 'HEAD' });
    expect(head.ok && head.repr.body.length).toBe(0);
    const noReason = parseHttpResponse(text('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n'));
    expect(noReason.ok && noReason.repr).toMatchObject({ status: 404, reason: '' });
  });

  it('decodes and emits chunked bodies', () => {
    const wire = text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n');
    const r = parseHttpResponse(wire);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(latin1(r.repr.body, 0, r.repr.body.length)).toBe('hello world');
    expect(r.consumed).toBe(wire.length);
    for (let n = 0; n < wire.length; n++) expect(parseHttpResponse(wire.subarray(0, n)).ok).toBe(false);
    const again = parseHttpResponse(encodeHttpResponse(r.repr));
    expect(again.ok && again.repr).toEqual(r.repr);
    const empty: HttpResponse = { version: 'HTTP/1.1', status: 200, reason: 'OK', headers: [['Transfer-Encoding', 'chunked']], body: new Uint8Array(0) };
    expect(latin1(encodeHttpResponse(empty), 0, 100)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
  });

  it('tolerates bare LF, a leading empty line and folded headers', () => {
    const r = parseHttpRequest(text('\r\nGET / HTTP/1.1\nHost: a\nX-Long: one\n  two\n\n'));
    expect(r.ok && r.repr.headers).toEqual([
      ['Host', 'a'],
      ['X-Long', 'one two'],
    ]);
  });

  it('rejects malformed messages', () => {
    const bad = (s: string, response = false): string | false => {
      const r = response ? parseHttpResponse(text(s)) : parseHttpRequest(text(s));
      return r.ok === false && r.error;
    };
    expect(bad('GET /\r\n\r\n')).toBe('malformed');
    expect(bad('GET / HTTP/1.1\r\nHost : a\r\n\r\n')).toBe('malformed');
    expect(bad('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')).toBe('malformed');
    expect(bad('POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n')).toBe('malformed');
    expect(bad('POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n')).toBe('malformed');
    expect(bad('HTTP/1.1 2000 OK\r\n\r\n', true)).toBe('malformed');
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', true)).toBe('malformed');
  });

  it('sniffs requests and responses', () => {
    expect(looksLikeHttp(get, P)).toBe('request');
    expect(looksLikeHttp(res, P)).toBe('response');
    expect(looksLikeHttp(text('GE'))).toBeNull();
    expect(looksLikeHttp(text('\x16\x03\x01'))).toBeNull();
  });

  it('gives header lines with absolute positions for highlighting', () => {
    const h = must(readHttpHead(get, P));
    expect(h.startLine).toMatchObject({ text: 'GET /hostname HTTP/1.1', off: P, len: 24 });
    expect(h.headers[0]!.line.off).toBe(P + 24);
    expect(latin1(get, h.headers[0]!.line.off, 4)).toBe('Host');
    expect(h.bodyOff).toBe(get.length);
  });
});
