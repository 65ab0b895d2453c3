import { describe, expect, it } from 'vitest';
import { buildStar } from './testing/topology.ts';
import { startNetexec } from './netexec.ts';
import { StaticZone, startDnsServer } from './dns-server.ts';
import { httpGet, parseHttpUrl, type HttpGetOptions, type HttpResult } from './http-client.ts';
import { Host } from '../dataplane/host.ts';
import { ipv4 } from '../wire/addr.ts';
import { dnsTypeName } from '../wire/dns.ts';
import type { ResolvConf } from './stub-resolver.ts';

function world() {
  const w = buildStar({ client: '10.0.1.10', server: '10.0.2.20', dns: '10.0.3.53' });
  const nx = startNetexec(w.hosts.server!, { pod: 'backend-0', container: 'agnhost', ports: [{ port: 8080 }] });
  startDnsServer(w.hosts.dns!, { sources: [new StaticZone([{ name: 'backend.default.svc.cluster.local', type: 'A', ttl: 30, data: '10.0.2.20' }], { authoritative: true })] });
  return { ...w, client: w.hosts.client!, server: w.hosts.server!, nx };
}

const CONF: ResolvConf = { nameservers: [ipv4('10.0.3.53')], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };

function get(w: { sim: { run(): unknown }; client: Host }, opts: HttpGetOptions): HttpResult {
  let res: HttpResult | null = null;
  let calls = 0;
  httpGet(w.client, opts, (r) => {
    res = r;
    calls++;
  });
  w.sim.run();
  expect(calls).toBe(1);
  return res!;
}

/** A hand-written server: records the request bytes, answers with `reply` (and closes if asked). */
function rawServer(host: Host, port: number, reply: string | null, close: boolean): { request: () => string } {
  let req = '';
  host.tcp.listen(port, () => ({
    onData(c, d) {
      req += new TextDecoder().decode(d);
      if (!req.includes('\r\n\r\n')) return;
      if (reply !== null) c.send(new TextEncoder().encode(reply));
      if (close) c.close();
    },
    onPeerClose(c) {
      c.close();
    },
  }));
  return { request: () => req };
}

describe('httpGet', () => {
  it('fetches by address: curl\'s request line and headers, the response, sockets and timings', () => {
    const w = world();
    const spy = rawServer(w.server, 9000, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', false);
    const r = get(w, { url: 'http://10.0.2.20:9000/x?y=1' });
    expect(spy.request()).toBe('GET /x?y=1 HTTP/1.1\r\nHost: 10.0.2.20:9000\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
    expect([r.ok, r.status, r.reason, r.body, r.error]).toEqual([true, 200, 'OK', 'hi', null]);
    expect(r.remote).toBe('10.0.2.20:9000');
    expect(r.local).toMatch(/^10\.0\.1\.10:\d+$/);
    expect(r.resolved).toBe(ipv4('10.0.2.20'));
    const t = r.timings;
    expect(t.dnsNs).toBe(0);
    expect(0 < t.connectNs && t.connectNs < t.firstByteNs && t.firstByteNs <= t.totalNs).toBe(true);
    // curl closes its side when done.
    expect(w.client.tcp.connections().every((c) => c.state !== 'ESTABLISHED')).toBe(true);
  });

  it('resolves a name through the stub resolver (search list first) and sends Host as written', () => {
    const w = world();
    const r = get(w, { url: 'http://backend:8080/hostname', resolver: CONF });
    expect([r.ok, r.body]).toEqual([true, 'backend-0']);
    expect(r.resolution!.queries.map((q) => `${q.name} ${dnsTypeName(q.type)}`)).toEqual(['backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA']);
    expect(r.timings.dnsNs).toBeGreaterThan(0);
    expect(r.timings.dnsNs).toBeLessThan(r.timings.connectNs);
    const spy = rawServer(w.server, 9001, 'HTTP/1.1 204 No Content\r\n\r\n', false);
    const r2 = get(w, { url: 'http://backend:9001/', resolver: CONF, hostHeader: 'web.example.com' });
    expect(spy.request()).toContain('\r\nHost: web.example.com\r\n');
    expect([r2.status, r2.body]).toEqual([204, '']);
    // Port 80 leaves the port out of Host, as curl does.
    const spy80 = rawServer(w.server, 80, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', false);
    expect(get(w, { url: 'http://backend/', resolver: CONF }).status).toBe(200);
    expect(spy80.request()).toContain('\r\nHost: backend\r\n');
  });

  it('reports a DNS failure as dns', () => {
    const w = world();
    const r = get(w, { url: 'http://nothere/', resolver: CONF });
    expect([r.ok, r.error, r.resolved]).toEqual([false, 'dns', null]);
    expect(r.resolution!.status).toBe('nxdomain');
    expect(r.errorText).toBe('Could not resolve host: nothere');
  });

  it('refused: the server host answers the SYN with a RST', () => {
    const w = world();
    const r = get(w, { url: 'http://10.0.2.20:81/' });
    expect([r.ok, r.error, r.status]).toEqual([false, 'refused', 0]);
    expect(r.timings.totalNs).toBeLessThan(1e6);
  });

  it('timeout: SYNs lost on the way give up at --max-time', () => {
    const w = world();
    w.links.server!.loss = 1;
    const r = get(w, { url: 'http://10.0.2.20:8080/', timeoutNs: 2e9 });
    expect([r.ok, r.error]).toEqual([false, 'timeout']);
    expect(r.timings.totalNs).toBe(2e9);
    expect(r.timings.connectNs).toBe(-1);
    expect(w.client.tcp.connections()).toHaveLength(0);
  });

  it('unreachable: no route at the client, or ICMP net unreachable from the router', () => {
    const w = world();
    const lonely = new Host(w.net, 'lonely');
    const r = get({ sim: w.sim, client: lonely }, { url: 'http://10.0.2.20/' });
    expect([r.error, r.timings.totalNs]).toEqual(['unreachable', 0]);
    const r2 = get(w, { url: 'http://192.168.77.1/' });
    expect(r2.error).toBe('unreachable');
  });

  it('keeps the connection for more requests (curl with several URLs)', () => {
    const w = world();
    const r = get(w, { url: 'http://10.0.2.20:8080/hostname', morePaths: ['/echo?msg=two', '/clientip'] });
    expect(r.responses.map((x) => [x.path, x.status, x.body])).toEqual([
      ['/hostname', 200, 'backend-0'],
      ['/echo?msg=two', 200, 'two'],
      ['/clientip', 200, r.local],
    ]);
    expect(new Set(w.nx.log.map((e) => e.client))).toEqual(new Set([r.local]));
    expect(r.responses[1]!.firstByteNs).toBeGreaterThan(r.responses[0]!.firstByteNs);
  });

  it('reads a body framed by the close, or chunked', () => {
    const w = world();
    rawServer(w.server, 9002, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end', true);
    expect(get(w, { url: 'http://10.0.2.20:9002/' }).body).toBe('until the end');
    rawServer(w.server, 9003, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', false);
    expect(get(w, { url: 'http://10.0.2.20:9003/' }).body).toBe('hello world');
  });

  it('an empty reply is malformed; a bad URL fails at once', () => {
    const w = world();
    rawServer(w.server, 9004, null, true);
    const r = get(w, { url: 'http://10.0.2.20:9004/' });
    expect([r.error, r.errorText]).toEqual(['malformed', 'Empty reply from server']);
    expect(get(w, { url: 'https://10.0.2.20/' }).error).toBe('badurl');
  });

  it('parses URLs like curl', () => {
    expect(parseHttpUrl('http://backend/hostname')).toEqual({ host: 'backend', port: 80, path: '/hostname' });
    expect(parseHttpUrl('backend:8080')).toEqual({ host: 'backend', port: 8080, path: '/' });
    expect(parseHttpUrl('http://b.ns.svc:81?x=1#frag')).toEqual({ host: 'b.ns.svc', port: 81, path: '/?x=1' });
    expect(parseHttpUrl('ftp://x/')).toBeNull();
    expect(parseHttpUrl('http://x:0/')).toBeNull();
  });
});
