/**
 * Small helpers shared by the user-space programs in apps/: endpoint text, application trace
 * notes, and the HTTP date format. Nothing here touches a socket.
 */
import { TraceKind } from '../trace/events.ts';
import { formatIpv4 } from '../wire/addr.ts';
import type { Host } from '../dataplane/host.ts';
import type { TcpCallbacks, TcpConnection } from '../dataplane/socket/tcp.ts';

/** One second in simulated nanoseconds. */
export const SECOND_NS = 1_000_000_000;

/** "10.2.1.4:43210": an IPv4 endpoint as `ss`, Go's `RemoteAddr` and curl print it. */
export function formatEndpoint(ip: number, port: number): string {
  return `${formatIpv4(ip)}:${port}`;
}

/** Records an application-level note (TraceKind.App) on `host`, tied to packet `uid` when known. */
export function appNote(host: Host, uid: number, text: string, flow = 0): void {
  const tr = host.net.tracer;
  if (tr.enabled) tr.note(TraceKind.App, host.now, host.name, '', uid, { text, flow: flow || undefined });
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** The date (y, m 1-12, d) of a day count since 1970-01-01 in the proleptic Gregorian calendar (Hinnant's civil_from_days algorithm). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The IMF-fixdate of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT") for `ms` milliseconds
 * after the Unix epoch. Computed by hand: the engine has no wall clock.
 */
export function httpDate(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const rem = secs - days * 86400;
  const [y, m, d] = civilFromDays(days);
  const wd = DAYS[(((days + 4) % 7) + 7) % 7]!;
  return `${wd}, ${pad2(d)} ${MONTHS[m - 1]} ${y} ${pad2(Math.floor(rem / 3600))}:${pad2(Math.floor((rem % 3600) / 60))}:${pad2(rem % 60)} GMT`;
}

/** The wall-clock origin of simulated time 0 (2026-01-01T00:00:00Z), for Date headers. */
export { SIM_EPOCH_MS } from '../sim/time.ts';

/** Listens on TCP `port` of `host` (throws if the port is taken). */
export function listenTcp(host: Host, port: number, accept: (c: TcpConnection) => TcpCallbacks): void {
  if (host.tcp.isListening(port)) throw new Error(`${host.name}: TCP port ${port} already in use`);
  host.tcp.listen(port, accept);
}

/** Stops listening on TCP `port`: new connections are refused with a RST, as after close() of a listener. */
export function unlistenTcp(host: Host, port: number): void {
  host.tcp.unlisten(port);
}
