/**
 * Text views of trace events: a one-line summary per event (the packet list, the CLI's
 * `--trace`), tcpdump-like for packets and worded for netfilter, NAT, conntrack, routes and drops.
 */
import { summarizePacket, type LinkType } from '../wire/describe.ts';
import { LinkLayer } from './events.ts';
import type { TraceEvent } from './recorder.ts';

const LINK_NAMES: Record<LinkLayer, LinkType> = { [LinkLayer.Ethernet]: 'ethernet', [LinkLayer.Ppp]: 'ppp', [LinkLayer.RawIpv4]: 'ipv4' };

/** The decoder's name for a recorded link layer. */
export function linkTypeName(l: LinkLayer): LinkType {
  return LINK_NAMES[l];
}

/** The words for an event's detail: the rule, the rewrite, the conntrack entry, the route or the drop reason. */
export function detailText(ev: TraceEvent): string {
  const d = ev.detail;
  if (!d) return '';
  if (d.reason) return `${d.reason}${d.text ? `: ${d.text}` : ''}`;
  if (d.manip) return `${d.hook} ${d.manip} ${d.before} → ${d.after}`;
  if (d.rule) return `${d.hook} ${d.table} → ${d.verdict} (${d.rulesEvaluated} rules evaluated): ${d.rule}`;
  if (d.orig) return `conntrack new: ${d.orig} | reply ${d.reply}`;
  if (d.route) return `route ${d.route}`;
  return d.text ?? '';
}

/** A one-line summary of the packet at this event, or the detail's words when it has no bytes. */
export function eventSummary(ev: TraceEvent): string {
  if (ev.bytes && ev.link !== null) return summarizePacket(ev.bytes, LINK_NAMES[ev.link]);
  return detailText(ev);
}

const MARKS: Record<string, string> = { sent: '>', received: '<', netfilter: 'NF', nat: 'NAT', conntrack: 'CT', route: 'RT', delivered: 'DLV', drop: 'DROP', l2: 'L2', app: 'APP' };

/** A tcpdump-like line: `0.001000050 node-1 eth0 < 10.2.1.3.4321 > 10.96.0.10.53: …  [detail]`. */
export function eventLine(ev: TraceEvent): string {
  const t = (ev.time / 1e9).toFixed(9);
  const where = `${ev.host}${ev.iface ? ` ${ev.iface}` : ''}`;
  const mark = MARKS[ev.kind] ?? ev.kind;
  const sum = ev.bytes && ev.link !== null ? summarizePacket(ev.bytes, LINK_NAMES[ev.link]) : '';
  const det = detailText(ev);
  if (ev.kind === 'sent' || ev.kind === 'received') return `${t} ${where} ${mark} ${sum}`;
  if (ev.kind === 'nat' || ev.kind === 'netfilter' || ev.kind === 'conntrack' || ev.kind === 'route' || ev.kind === 'l2' || ev.kind === 'app') return `${t} ${where} ${mark} ${det}`;
  return `${t} ${where} ${mark} ${sum}${det ? `  [${det}]` : ''}`;
}
