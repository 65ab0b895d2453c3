import { describe, expect, it } from 'vitest';
import { buildStar, rawTcp } from './testing/topology.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { ipv4 } from '../wire/addr.ts';
import { httpGet, type HttpResult } from './http-client.ts';
import { nginxErrorPage, requestPath, serveHttp, type HttpHandler, type HttpServeEvent, type HttpServerOptions } from './http-server.ts';

const SERVER = '10.0.2.20';

function world(handler: HttpHandler, opts: HttpServerOptions = {}) {
  const trace = new TraceRecorder();
  const w = buildStar({ client: '10.0.1.10', server: SERVER }, { tracer: trace });
  const served: HttpServeEvent[] = [];
  const server = serveHttp(w.hosts.server!, 8080, handler, { label: 'test-server', onServe: (e) => served.push(e), ...opts });
  return { ...w, trace, client: w.hosts.client!, server, served };
}

function get(w: ReturnType<typeof world>, path: string, extra: { method?: string } = {}): HttpResult {
  let res: HttpResult | null = null;
  httpGet(w.client, { url: `http://${SERVER}:8080${path}`, ...extra }, (r) => (res = r));
  w.sim.run();
  if (!res) throw new Error('no result');
  return res;
}

describe('serveHttp, Go flavour', () => {
  it('writes the handler\'s headers sorted, then Date, Content-Length and a default Content-Type', () => {
    const w = world(() => ({ status: 201, body: 'made', headers: [['X-B', '2'], ['Cache-Control', 'no-store'], ['X-A', '1']] }));
    const r = get(w, '/x');
    expect([r.status, r.reason, r.body]).toEqual([201, 'Created', 'made']);
    expect(r.headers.map(([k, v]) => (k === 'Date' ? k : `${k}: ${v}`))).toEqual(['Cache-Control: no-store', 'X-A: 1', 'X-B: 2', 'Date', 'Content-Length: 4', 'Content-Type: text/plain; charset=utf-8']);
    expect(r.headers.find(([k]) => k === 'Date')![1]).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
    expect(w.served).toHaveLength(1);
    expect(w.served[0]).toMatchObject({ port: 8080, method: 'GET', target: '/x', status: 201, body: 'made', closing: false, local: `${SERVER}:8080`, client: r.local });
    expect(w.server.log).toEqual(w.served);
    const note = [...w.trace.events()].find((e) => e.kind === 'app' && e.host === 'server');
    expect(note?.detail?.text).toBe(`test-server: GET /x from ${r.local} → 201`);
  });

  it('sends no body and no length for 204; unknown codes get Go\'s "status code N"', () => {
    const w = world((req) => (req.target === '/none' ? { status: 204, body: 'ignored' } : { status: 599, body: 'odd' }));
    const none = get(w, '/none');
    expect([none.status, none.body]).toEqual([204, '']);
    expect(none.headers.map(([k]) => k)).toEqual(['Date']);
    const odd = get(w, '/odd');
    expect([odd.status, odd.reason]).toEqual([599, 'status code 599']);
  });

  it('answers a deferred reply later, and keeps pipelined requests in order behind it', () => {
    let n = 0;
    const w = world((req, _c, respond) => {
      n++;
      if (req.target === '/slow') {
        w.sim.after(10_000_000, () => respond({ status: 200, body: 'slow' }));
        return undefined;
      }
      return { status: 200, body: 'fast' };
    });
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n'], { closeAfterNs: 50_000_000 });
    w.sim.run();
    const bodies = t.text().split(/(?=HTTP\/1\.1 )/).map((r) => r.split('\r\n\r\n')[1]);
    expect(bodies).toEqual(['slow', 'fast']);
    expect(n).toBe(2);
    expect(w.served[0]!.time).toBeGreaterThanOrEqual(10_000_000);
    expect(w.served[1]!.time).toBe(w.served[0]!.time); // the second waited for the first
  });

  it('a client that half-closes while its reply is deferred still gets the reply, then the server closes', () => {
    const w = world((_req, _c, respond) => {
      w.sim.after(5_000_000, () => respond({ status: 200, body: 'late' }));
    });
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { closeAfterNs: 1_000_000 });
    w.sim.run();
    expect(t.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n.*Connection: close\r\n\r\nlate$/s);
    expect(t.state.peerClosed).toBe(true);
    expect(w.served[0]!.closing).toBe(true);
  });

  it('answers garbage with Go\'s 400 and closes; later bytes are ignored', () => {
    const w = world(() => ({ status: 200, body: 'never' }));
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['BAD\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    w.sim.run();
    expect(t.text()).toBe('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request');
    expect(w.served.map((e) => [e.status, e.method, e.request])).toEqual([[400, '', null]]);
  });

  it('stop() resets open connections and refuses new ones', () => {
    const w = world((_req, _c, _respond) => undefined); // never answers
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    w.sim.after(5_000_000, () => w.server.stop());
    w.sim.run();
    expect(t.state.error).toBe('reset');
    expect(w.server.running).toBe(false);
    expect(get(w, '/').error).toBe('refused');
    // The port is free for another server.
    serveHttp(w.hosts.server!, 8080, () => ({ status: 200, body: 'second' }));
    expect(get(w, '/').body).toBe('second');
  });

  it('refuses a second server on a taken port', () => {
    const w = world(() => ({ status: 200 }));
    expect(() => serveHttp(w.hosts.server!, 8080, () => ({ status: 200 }))).toThrow(/already in use/);
  });
});

describe('serveHttp, nginx flavour', () => {
  it('frames like nginx: HTTP/1.1 status line, Date, Content-Type, Content-Length, Connection, then the rest', () => {
    const w = world(() => ({ status: 503, body: nginxErrorPage(503), headers: [['X-Extra', 'y'], ['Content-Type', 'text/html']] }), { flavor: 'nginx' });
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['GET / HTTP/1.0\r\n\r\n']);
    w.sim.run();
    const page = nginxErrorPage(503);
    expect(t.text()).toBe(`HTTP/1.1 503 Service Temporarily Unavailable\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\nX-Extra: y\r\n\r\n${page}`);
    expect(page.length).toBe(190);
  });

  it('keeps HTTP/1.1 alive and passes a proxied reason phrase through', () => {
    const w = world(() => ({ status: 200, reason: 'Fine', body: 'ok' }), { flavor: 'nginx' });
    const r = get(w, '/');
    expect([r.status, r.reason]).toEqual([200, 'Fine']);
    expect(r.headers.find(([k]) => k === 'Connection')![1]).toBe('keep-alive');
    expect(r.headers.find(([k]) => k === 'Content-Type')).toBeUndefined();
  });

  it('answers garbage with nginx\'s 400 page', () => {
    const w = world(() => ({ status: 200 }), { flavor: 'nginx' });
    const t = rawTcp(w.client, ipv4(SERVER), 8080, ['GET /a HTTP/1.1\r\n\r\n']); // HTTP/1.1 without Host
    w.sim.run();
    expect(t.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nDate: [^\r]+\r\nContent-Type: text\/html\r\nContent-Length: 150\r\nConnection: close\r\n\r\n<html>\r\n<head><title>400 Bad Request<\/title>/);
  });
});

describe('requestPath', () => {
  it('splits path and query, and reduces absolute-form targets', () => {
    expect(requestPath('/a/b?x=1&y')).toEqual({ path: '/a/b', query: 'x=1&y' });
    expect(requestPath('http://host:8080/p?q')).toEqual({ path: '/p', query: 'q' });
    expect(requestPath('http://host')).toEqual({ path: '/', query: '' });
  });
});
