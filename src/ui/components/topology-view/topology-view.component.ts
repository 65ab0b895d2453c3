/**
 * @summary The cluster as built: external clients and the cloud load balancer on the node
 * network; nodes with their NIC, bridge and pod subnet, pods inside them with their containers
 * and ports; Services with ClusterIPs, NodePorts, LB IPs and endpoints. The selected event's
 * packet sits on its host and interface (and glides there while playing); the hosts the current
 * flow visits are joined by a path. Click a box to filter the packet list on its address.
 *
 * @event kw-filter - A box was clicked: filter on its address.
 */
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { TopologyDto, TraceRow } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import { afterNextPaint } from '../../lib/frame.ts';
import { centre, ipOf, layoutTopology, LINE, type Box, type TopologyLayout } from '../../lib/topology-layout.ts';
import styles from './topology-view.styles.ts';

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export default class KwTopologyView extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) topology: TopologyDto | null = null;
  /** The selected event. */
  @property({ attribute: false }) row: TraceRow | null = null;
  /** Hosts the current flow visits, in order. */
  @property({ attribute: false }) path: readonly string[] = [];
  /** Animate the packet's moves (while playing), taking this long per hop. */
  @property({ type: Number }) animMs = 0;

  @state() private width = 600;
  private layout: TopologyLayout | null = null;
  private resize = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 600);
    if (Math.abs(w - this.width) > 4) this.width = w;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if ((changed.has('topology') || changed.has('width')) && this.topology) this.layout = layoutTopology(this.topology, this.width - 4);
  }

  private keepInViewPending = false;

  protected override updated(changed: PropertyValues): void {
    // Keep the packet in view (it may sit on a node scrolled out of the pane): after the paint,
    // so measuring the pane does not hold up the frame that shows the new selection.
    if (!changed.has('row') && !changed.has('topology') && !changed.has('width')) return;
    if (this.keepInViewPending) return;
    this.keepInViewPending = true;
    afterNextPaint(() => {
      this.keepInViewPending = false;
      this.keepPacketInView();
    });
  }

  private keepPacketInView(): void {
    const packet = this.renderRoot.querySelector<SVGGElement>('#packet');
    const box = this.renderRoot.querySelector<HTMLElement>('.scroll');
    if (!packet || !box || !this.layout || !this.row) return;
    const at = this.packetAt(this.layout, this.row);
    if (!at) return;
    const margin = 40;
    const inY = at.y >= box.scrollTop + margin && at.y <= box.scrollTop + box.clientHeight - margin;
    const inX = at.x >= box.scrollLeft + margin && at.x <= box.scrollLeft + box.clientWidth - margin;
    if (!inY || !inX)
      box.scrollTo({
        top: inY ? box.scrollTop : Math.max(0, at.y - box.clientHeight / 2),
        left: inX ? box.scrollLeft : Math.max(0, at.x - box.clientWidth / 2),
        behavior: this.animMs ? 'smooth' : 'auto',
      });
  }

  private filterOn(ip: string): void {
    if (ip) emit(this, 'kw-filter', { expr: `ip.addr == ${ip}` });
  }

  /** Where the packet of the selected event is drawn. */
  private packetAt(L: TopologyLayout, r: TraceRow): { x: number; y: number } | null {
    const b = L.hosts.get(r.host);
    if (!b) return null;
    const node = L.nodes.find((n) => n.node.name === r.host);
    if (node && r.iface === 'eth0') return { x: node.box.x + node.box.w / 2, y: node.box.y };
    if (node) return { x: node.header.x + node.header.w - 26, y: node.header.y + node.header.h - 14 };
    const c = centre(b);
    return { x: b.x + b.w - 22, y: c.y };
  }

  private renderPath(L: TopologyLayout) {
    const pts = this.path.map((h) => L.hosts.get(h)).filter((b): b is Box => !!b).map(centre);
    if (pts.length < 2) return nothing;
    return svg`<polyline class="path" points=${pts.map((p) => `${p.x},${p.y}`).join(' ')} marker-mid="url(#dot)"></polyline>`;
  }

  override render() {
    const t = this.topology;
    const L = this.layout;
    if (!t || !L) return html`<div class="empty">Run a scenario to see its cluster.</div>`;
    const r = this.row;
    const onPath = new Set(this.path);
    const ips = new Set(r ? [ipOf(r.src), ipOf(r.dst)] : []);
    const at = r ? this.packetAt(L, r) : null;
    const kindCls = r?.kind === 'drop' ? 'drop' : r?.kind === 'nat' ? 'nat' : '';
    const cls = (host: string) => (r?.host === host ? 'current' : onPath.has(host) ? 'on-path' : '');
    return html`
      <div class="caption">
        <span>node network ${t.nodeCIDR} · pods ${t.podCIDR} · services ${t.serviceCIDR}</span>
        ${r ? html`<span class="at" id="packet-at">packet at ${r.host}${r.iface ? ` ${r.iface}` : ''}: ${r.protocol ? r.summary : r.detail || r.summary}</span>` : nothing}
      </div>
      <div class="scroll">
        <svg width=${L.width} height=${L.height} id="topology" role="img" aria-label="Cluster topology">
          <defs>
            <marker id="dot" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5"><circle cx="5" cy="5" r="4" fill="#e8590c"></circle></marker>
          </defs>
          <text class="section" x="12" y="18">outside the cluster</text>
          ${L.externals.map(({ ext, box }) => {
            const mid = box.x + box.w / 2;
            return svg`<line class="wire" x1=${mid} x2=${mid} y1=${box.y + box.h} y2=${L.underlay.y}></line>
              <g class="ext clickable ${cls(ext.name)}" data-host=${ext.name} @click=${() => this.filterOn(ext.ip)}>
                <title>${ext.name} (${ext.role}) ${ext.ip} — click to filter on it</title>
                <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="6"></rect>
                <text class="name" x=${box.x + 8} y=${box.y + 17}>${clip(ext.name, 22)}</text>
                <text class="sub" x=${box.x + 8} y=${box.y + 31}>${ext.ip}</text>
                <text class="sub" x=${box.x + 8} y=${box.y + 44}>${ext.role}</text>
              </g>`;
          })}
          <rect class="underlay" x=${L.underlay.x} y=${L.underlay.y} width=${L.underlay.w} height=${L.underlay.h} rx="3"></rect>
          <text class="sub" x=${L.underlay.x + 4} y=${L.underlay.y + 20}>node network ${t.nodeCIDR}</text>
          ${L.nodes.map(({ node, box, pods }) => {
            const mid = box.x + box.w / 2;
            return svg`<line class="wire" x1=${mid} x2=${mid} y1=${L.underlay.y + L.underlay.h} y2=${box.y}></line>
              <g class="node ${node.up ? '' : 'down'} ${cls(node.name)}" data-host=${node.name}>
                <title>${node.name}: eth0 ${node.ip}, cbr0 ${node.bridgeIp}, pods ${node.podCIDR}${node.up ? '' : ' (down)'}</title>
                <rect class="frame" x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="8"></rect>
                <g class="clickable" @click=${() => this.filterOn(node.ip)}>
                  <text class="name" x=${box.x + 10} y=${box.y + 18}>${clip(node.name, 24)}${node.up ? '' : ' (down)'}</text>
                  <text class="sub" x=${box.x + 10} y=${box.y + 33}>eth0 ${node.ip}</text>
                  <text class="sub" x=${box.x + 10} y=${box.y + 46}>cbr0 ${node.bridgeIp}</text>
                  <text class="sub" x=${box.x + 10} y=${box.y + 59}>pods ${node.podCIDR}</text>
                </g>
                ${pods.map(({ pod, box: pb }) => {
                  const name = pod.namespace && pod.namespace !== 'default' ? `${pod.namespace}/${pod.name}` : pod.name;
                  return svg`<g class="pod clickable ${pod.ready ? '' : 'notready'} ${cls(pod.host)}" data-host=${pod.host} @click=${() => this.filterOn(pod.ip)}>
                    <title>${name} ${pod.ip}${pod.ready ? '' : ' (not ready)'} — click to filter on it</title>
                    <rect x=${pb.x} y=${pb.y} width=${pb.w} height=${pb.h} rx="5"></rect>
                    <text class="name" x=${pb.x + 7} y=${pb.y + 15}>${clip(name, 30)}</text>
                    <text class="sub" x=${pb.x + 7} y=${pb.y + 15 + LINE}>${pod.ip}${pod.ready ? '' : ' · not ready'}</text>
                    ${(pod.containers.length ? pod.containers : [{ name: '(no containers)', ports: [] }]).map(
                      (c, k) =>
                        svg`<text class="sub" x=${pb.x + 7} y=${pb.y + 15 + LINE * (2 + k)}>${clip(`${c.name}${c.ports.length ? ' ' + c.ports.map((p) => `:${p.port}/${p.protocol}`).join(' ') : ''}`, 34)}</text>`,
                    )}
                  </g>`;
                })}
              </g>`;
          })}
          ${L.services.length ? svg`<text class="section" x="12" y=${L.servicesTop - 4}>services</text>` : nothing}
          ${L.services.map(({ svc, box }) => {
            const hit = ips.has(svc.clusterIP) || svc.loadBalancerIPs.some((ip) => ips.has(ip));
            let line = 0;
            const text = (s: string, c = 'sub') => svg`<text class=${c} x=${box.x + 8} y=${box.y + 16 + LINE * line++}>${clip(s, 34)}</text>`;
            return svg`<g class="svc clickable ${hit ? 'hit' : ''}" data-service=${svc.key} @click=${() => this.filterOn(svc.clusterIP !== 'None' ? svc.clusterIP : '')}>
              <title>${svc.key} (${svc.type}) ${svc.clusterIP}; endpoints: ${svc.endpoints.join(', ') || 'none'}</title>
              <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="6"></rect>
              ${text(svc.key, 'name')}
              ${text(`${svc.type} ${svc.clusterIP}`)}
              ${svc.loadBalancerIPs.length ? text(`LB ${svc.loadBalancerIPs.join(', ')}`) : nothing}
              ${svc.ports.map((p) => text(`${p.name ? p.name + ' ' : ''}${p.port}/${p.protocol} → ${p.targetPort}${p.nodePort ? ` · node ${p.nodePort}` : ''}`))}
              ${text(`endpoints: ${svc.endpoints.length ? svc.endpoints.join(', ') : 'none'}`)}
            </g>`;
          })}
          ${this.renderPath(L)}
          ${at
            ? svg`<g class="packet ${kindCls} ${this.animMs ? 'anim' : ''}" id="packet" style="transform:translate(${at.x}px,${at.y}px);--kw-anim:${this.animMs}ms">
                <rect x="-12" y="-8" width="24" height="16" rx="2"></rect>
                <path d="M-12,-8 L0,1 L12,-8"></path>
                <text x="15" y="4">${r!.protocol || r!.kind}</text>
              </g>`
            : nothing}
        </svg>
      </div>
    `;
  }
}
