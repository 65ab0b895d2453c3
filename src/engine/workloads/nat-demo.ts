/**
 * The NAT demo: two hosts behind a router whose nat table (loaded from iptables-restore text)
 * DNATs a virtual IP to a server on the far side and MASQUERADEs toward it — the smallest
 * picture of what kube-proxy does for a ClusterIP. A client opens a TCP connection to the
 * virtual IP, sends an HTTP request, and reads the reply, which comes back from the virtual IP.
 *
 *   client 10.0.1.10 ── eth0 [router 10.0.1.1 | 10.0.2.1] eth1 ── server 10.0.2.20:8080
 *                        VIP 10.96.0.100:80 → DNAT 10.0.2.20:8080, MASQUERADE out of eth1
 */
import { Simulation } from '../sim/simulation.ts';
import { Network } from '../dataplane/network.ts';
import { Host } from '../dataplane/host.ts';
import { Link } from '../dataplane/device/link.ts';
import { Netfilter } from '../dataplane/netfilter/netfilter.ts';
import type { TcpConnection } from '../dataplane/socket/tcp.ts';
import type { Tracer } from '../trace/recorder.ts';
import { formatIpv4, ipv4 } from '../wire/addr.ts';

/** The router's rules, as a user would feed them to iptables-restore. */
export const NAT_DEMO_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DEMO-SERVICES - [0:0]
:DEMO-SVC-WEB - [0:0]
-A PREROUTING -m comment --comment "demo service portals" -j DEMO-SERVICES
-A DEMO-SERVICES -d 10.96.0.100/32 -p tcp -m comment --comment "demo/web cluster IP" -m tcp --dport 80 -j DEMO-SVC-WEB
-A DEMO-SVC-WEB -p tcp -m comment --comment "demo/web -> 10.0.2.20:8080" -m tcp -j DNAT --to-destination 10.0.2.20:8080
-A POSTROUTING -o eth1 -d 10.0.2.0/24 -m comment --comment "masquerade toward the servers" -j MASQUERADE
COMMIT
`;

/** What the demo's endpoints saw, for assertions and the UI. */
export interface NatDemoLog {
  /** The client's socket: local ip:port and the peer it connected to. */
  clientLocal: string;
  clientPeer: string;
  /** The server's view of its peer (after MASQUERADE: the router's address). */
  serverSawPeer: string;
  serverLocal: string;
  /** The HTTP response the client received. */
  response: string;
  clientClosed: boolean;
  error: string;
}

export interface NatDemo {
  sim: Simulation;
  net: Network;
  client: Host;
  router: Host;
  server: Host;
  log: NatDemoLog;
}

const SERVER_PORT = 8080;
const VIP = '10.96.0.100';

/** Builds the demo network and schedules the client's request at 1 ms. */
export function buildNatDemo(opts: { seed?: number; tracer?: Tracer; rules?: string } = {}): NatDemo {
  const sim = new Simulation(opts.seed ?? 1);
  const net = new Network(sim, opts.tracer);
  const client = new Host(net, 'client');
  const router = new Host(net, 'router');
  const server = new Host(net, 'server');
  router.ipForward = true;

  const c0 = client.nic('eth0');
  const r0 = router.nic('eth0');
  const r1 = router.nic('eth1');
  const s0 = server.nic('eth0');
  const linkOpts = { bandwidth: 1e9, delay: 10_000 };
  new Link(net, c0, r0, linkOpts);
  new Link(net, r1, s0, linkOpts);
  client.addAddress(c0, ipv4('10.0.1.10'), 24);
  router.addAddress(r0, ipv4('10.0.1.1'), 24);
  router.addAddress(r1, ipv4('10.0.2.1'), 24);
  server.addAddress(s0, ipv4('10.0.2.20'), 24);
  client.addRoute('0.0.0.0/0', c0, ipv4('10.0.1.1'));
  server.addRoute('0.0.0.0/0', s0, ipv4('10.0.2.1'));

  for (const h of [client, router, server]) h.netfilter = new Netfilter();
  (router.netfilter as Netfilter).restore(opts.rules ?? NAT_DEMO_RULES);

  const log: NatDemoLog = { clientLocal: '', clientPeer: '', serverSawPeer: '', serverLocal: '', response: '', clientClosed: false, error: '' };
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const ep = (ip: number, port: number) => `${formatIpv4(ip)}:${port}`;

  server.tcp.listen(SERVER_PORT, (conn: TcpConnection) => {
    log.serverSawPeer = ep(conn.remoteIp, conn.remotePort);
    log.serverLocal = ep(conn.localIp, conn.localPort);
    let request = '';
    return {
      onData(c, data) {
        request += dec.decode(data);
        if (!request.includes('\r\n\r\n')) return;
        const body = `hello from server, you are ${ep(c.remoteIp, c.remotePort)}\n`;
        c.send(enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
        c.close();
      },
    };
  });

  sim.after(1_000_000, () => {
    client.tcp.connect(ipv4(VIP), 80, {
      onConnect(c) {
        log.clientLocal = ep(c.localIp, c.localPort);
        log.clientPeer = ep(c.remoteIp, c.remotePort);
        c.send(enc.encode(`GET /hostname HTTP/1.1\r\nHost: web.demo\r\nUser-Agent: kubewire\r\nAccept: */*\r\n\r\n`));
      },
      onData(_c, data) {
        log.response += dec.decode(data);
      },
      onPeerClose(c) {
        c.close();
      },
      onClosed() {
        log.clientClosed = true;
      },
      onError(_c, err) {
        log.error = err;
      },
    }, 0, 1);
  });

  return { sim, net, client, router, server, log };
}
