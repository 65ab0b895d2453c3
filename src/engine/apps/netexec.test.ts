import { describe, expect, it } from 'vitest';
import { buildStar, rawTcp } from './testing/topology.ts';
import { startNetexec, formDecode, queryValue, type NetexecServeEvent } from './netexec.ts';
import { httpGet, type HttpResult } from './http-client.ts';
import { ipv4 } from '../wire/addr.ts';
import { httpDate } from './common.ts';

const MASQ = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth1 -j MASQUERADE
COMMIT
`;

function world(rules?: string) {
  const w = buildStar({ client: '10.0.1.10', server: '10.0.2.20' }, { routerRules: rules });
  const served: NetexecServeEvent[] = [];
  const nx = startNetexec(w.hosts.server!, {
    pod: 'backend-7d4b9c-x2x9z',
    namespace: 'default',
    container: 'agnhost',
    ports: [{ port: 8080 }, { port: 8081, protocol: 'UDP' }],
    onServe: (e) => served.push(e),
  });
  return { ...w, client: w.hosts.client!, server: w.hosts.server!, nx, served };
}

function get(w: ReturnType<typeof world>, path: string, extra: Partial<Parameters<typeof httpGet>[1]> = {}): HttpResult {
  let res: HttpResult | null = null;
  httpGet(w.client, { url: `http://10.0.2.20:8080${path}`, ...extra }, (r) => (res = r));
  w.sim.run();
  if (!res) throw new Error('no result');
  return res;
}

describe('netexec over HTTP', () => {
  it('/hostname answers the pod name, Go-style headers, and logs who was served', () => {
    const w = world();
    const r = get(w, '/hostname');
    expect(r.ok).toBe(true);
    expect(r.status).toBe(200);
    expect(r.body).toBe('backend-7d4b9c-x2x9z');
    expect(r.headers.map(([k]) => k)).toEqual(['Date', 'Content-Length', 'Content-Type']);
    expect(r.headers[1]![1]).toBe(String('backend-7d4b9c-x2x9z'.length));
    expect(r.headers[2]![1]).toBe('text/plain; charset=utf-8');
    expect(w.served).toHaveLength(1);
    const e = w.served[0]!;
    expect([e.pod, e.namespace, e.container, e.port, e.protocol, e.method, e.path, e.status]).toEqual(['backend-7d4b9c-x2x9z', 'default', 'agnhost', 8080, 'TCP', 'GET', '/hostname', 200]);
    // Without NAT the server sees the client's own socket.
    expect(e.client).toBe(r.local);
    expect(e.local).toBe('10.0.2.20:8080');
    expect(w.nx.log).toEqual(w.served);
  });

  it('/clientip shows the peer as the server sees it: the router after MASQUERADE', () => {
    const w = world(MASQ);
    const r = get(w, '/clientip');
    const port = r.local.split(':')[1];
    expect(r.local.startsWith('10.0.1.10:')).toBe(true);
    expect(r.body).toBe(`10.0.2.1:${port}`);
    expect(w.served[0]!.client).toBe(`10.0.2.1:${port}`);
    expect(w.served[0]!.clientIp).toBe(ipv4('10.0.2.1'));
  });

  it('/echo decodes its msg; code sets the status', () => {
    const w = world();
    expect(get(w, '/echo?msg=hello%20world+again').body).toBe('hello world again');
    const teapot = get(w, '/echo?msg=short&code=418');
    expect([teapot.status, teapot.reason, teapot.body]).toEqual([418, "I'm a teapot", 'short']);
    expect(get(w, '/echo').body).toBe('');
    expect(get(w, '/echo').headers.map(([k]) => k)).toEqual(['Date', 'Content-Length']);
  });

  it('/ names pod and container; unknown paths get Go\'s 404', () => {
    const w = world();
    expect(get(w, '/').body).toBe('pod default/backend-7d4b9c-x2x9z, container agnhost\n');
    const nf = get(w, '/nope');
    expect([nf.status, nf.reason, nf.body]).toEqual([404, 'Not Found', '404 page not found\n']);
    expect(nf.headers.map(([k, v]) => `${k}: ${v}`)).toEqual([
      'Content-Type: text/plain; charset=utf-8',
      'X-Content-Type-Options: nosniff',
      `Date: ${nf.headers[2]![1]}`,
      'Content-Length: 19',
    ]);
    expect(get(w, '/healthz').status).toBe(200);
  });

  it('HEAD gets the headers with the GET Content-Length and no body', () => {
    const w = world();
    const r = get(w, '/hostname', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers.find(([k]) => k === 'Content-Length')![1]).toBe('20');
  });

  it('assembles a request split over several segments', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4('10.0.2.20'), 8080, ['GET /echo?msg=sp', 'lit HTTP/1.1\r\nHo', 'st: x\r\n', '\r\n'], { gapNs: 2_000_000, closeAfterNs: 50_000_000 });
    w.sim.run();
    const text = t.text();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: [^\r]+\r\nContent-Length: 5\r\nContent-Type: text\/plain; charset=utf-8\r\n\r\nsplit$/);
    expect(w.served).toHaveLength(1);
    expect(w.served[0]!.time).toBeGreaterThan(6_000_000); // after the last piece
  });

  it('keeps the connection open between requests; Connection: close ends it', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4('10.0.2.20'), 8080, [
      'GET /hostname HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?msg=two HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /echo?msg=three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ], { gapNs: 5_000_000 });
    w.sim.run();
    const responses = t.text().split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(3);
    expect(responses[0]).toMatch(/\r\n\r\nbackend-7d4b9c-x2x9z$/);
    expect(responses[1]).toMatch(/\r\n\r\ntwo$/);
    expect(responses[2]).toMatch(/Connection: close\r\n\r\nthree$/);
    expect(responses[0]).not.toMatch(/Connection/);
    expect(t.state.peerClosed).toBe(true);
    // One connection: every request came from the same client port.
    expect(new Set(w.served.map((e) => e.clientPort)).size).toBe(1);
    expect(w.served.map((e) => e.path)).toEqual(['/hostname', '/echo?msg=two', '/echo?msg=three']);
  });

  it('HTTP/1.0 without keep-alive is answered in 1.0 and closed', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4('10.0.2.20'), 8080, ['GET /hostname HTTP/1.0\r\n\r\n']);
    w.sim.run();
    expect(t.text()).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(t.state.peerClosed).toBe(true);
  });

  it('answers garbage with 400 Bad Request and closes', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4('10.0.2.20'), 8080, ['NOT HTTP AT ALL\r\n\r\n']);
    w.sim.run();
    expect(t.text()).toBe('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request');
    expect(t.state.peerClosed).toBe(true);
    expect(w.served[0]!.status).toBe(400);
  });

  it('an HTTP/1.1 request without Host gets Go\'s 400', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4('10.0.2.20'), 8080, ['GET /hostname HTTP/1.1\r\n\r\n']);
    w.sim.run();
    expect(t.text()).toBe('HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header');
  });

  it('a port no container declares refuses (RST)', () => {
    const w = world();
    const r = get(w, '', { url: 'http://10.0.2.20:9999/hostname' });
    expect(r.error).toBe('refused');
    expect(w.served).toHaveLength(0);
  });

  it('after stop() the ports are closed: TCP connections are refused', () => {
    const w = world();
    w.nx.stop();
    const r = get(w, '/hostname');
    expect(r.ok).toBe(false);
    expect(r.error).toBe('refused');
    // Another container can take the port over.
    startNetexec(w.server, { pod: 'other', container: 'c', ports: [{ port: 8080 }] });
    expect(get(w, '/hostname').body).toBe('other');
  });
});

describe('netexec over UDP', () => {
  function udp(w: ReturnType<typeof world>, text: string, port = 8081): { replies: string[]; icmp: string[] } {
    const replies: string[] = [];
    const icmp: string[] = [];
    const enc = new TextEncoder();
    const sport = w.client.bindUdpEphemeral({
      onDatagram(_h, pkt, _s, _sp, _d, _dp, off, len) {
        replies.push(new TextDecoder().decode(pkt.buf.slice(off, off + len)));
        return false;
      },
      onIcmpError(_h, type, code) {
        icmp.push(`${type}/${code}`);
      },
    });
    const bytes = enc.encode(text);
    w.client.sendUdp(0, sport, ipv4('10.0.2.20'), port, bytes.length, (b, o) => b.set(bytes, o));
    w.sim.run();
    return { replies, icmp };
  }

  it('answers hostname, clientip and echo (lower-cased like agnhost); ignores the rest', () => {
    const w = world();
    expect(udp(w, 'hostname\n').replies).toEqual(['backend-7d4b9c-x2x9z']);
    const ip = udp(w, 'clientip');
    expect(ip.replies[0]).toMatch(/^10\.0\.1\.10:\d+$/);
    expect(ip.replies[0]).toBe(w.served.at(-1)!.client);
    expect(udp(w, '  echo Hello There ').replies).toEqual(['hello there']);
    expect(udp(w, 'dance').replies).toEqual([]);
    expect(w.served.map((e) => [e.protocol, e.path, e.response, e.status])).toEqual([
      ['UDP', 'hostname', 'backend-7d4b9c-x2x9z', null],
      ['UDP', 'clientip', ip.replies[0], null],
      ['UDP', 'echo hello there', 'hello there', null],
      ['UDP', 'dance', null, null],
    ]);
  });

  it('shows SNAT to UDP clients too', () => {
    const w = world(MASQ);
    expect(udp(w, 'clientip').replies[0]).toMatch(/^10\.0\.2\.1:\d+$/);
  });

  it('an undeclared UDP port answers ICMP port unreachable', () => {
    const w = world();
    const r = udp(w, 'hostname', 9999);
    expect(r.replies).toEqual([]);
    expect(r.icmp).toEqual(['3/3']);
  });
});

describe('helpers', () => {
  it('decodes forms like Go', () => {
    expect(formDecode('a%20b+c%zz%41')).toBe('a b c%zzA');
    expect(queryValue('x=1&msg=caf%C3%A9&msg=second', 'msg')).toBe('café');
    expect(queryValue('flag&y=2', 'flag')).toBe('');
    expect(queryValue('y=2', 'msg')).toBe('');
  });

  it('formats HTTP dates (RFC 9110 IMF-fixdate)', () => {
    expect(httpDate(784111777000)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(httpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(httpDate(951782400000)).toBe('Tue, 29 Feb 2000 00:00:00 GMT');
  });
});
