/**
 * @summary The flow ladder: a sequence diagram of the selected event's flow (Wireshark's Flow
 * Graph, OMNeT++'s sequence chart): one lifeline per host, an arrow per frame from the host that
 * sent it to each host that received it, a mark for every decision (netfilter, NAT, route,
 * conntrack, drop), and the event's words in a column on the right. Click a row to jump to it.
 *
 * @event kw-select-event - A row of the ladder was clicked.
 */
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import type { TraceRow } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import { KIND_LABEL, formatSecondsUs } from '../../lib/format.ts';
import { layoutLadder, type LadderLayout } from '../../lib/ladder.ts';
import styles from './flow-ladder.styles.ts';

const ROW = 20;
const HEAD = 34;
const GUTTER = 118;
const LANE_MIN = 78;
const LANE_MAX = 150;
/** Narrowest Info column worth drawing; below it the words go beside the marks. */
const INFO_MIN = 320;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export default class KwFlowLadder extends LitElement {
  static override styles = styles;

  /** The flow's events in order. */
  @property({ attribute: false }) rows: readonly TraceRow[] = [];
  /** The selected event. */
  @property({ type: Number }) selected = -1;
  /** The flow's number (0: the event belongs to no traffic item). */
  @property({ type: Number }) flow = 0;
  /** Events of the flow left out (the ladder shows a window around the selection). */
  @property({ type: Number }) omitted = 0;
  /** False while the ladder's tab is hidden: it then does no work (a step must not pay for it). */
  @property({ type: Boolean }) active = true;

  @state() private width = 600;
  private layout: LadderLayout = { lanes: [], marks: [], arrows: [], slots: 0 };
  /** The rows `layout` was made from. */
  private layoutOf: readonly TraceRow[] | null = null;
  private scrollPending = false;
  /** Updates were skipped while hidden: scroll to the selection when shown again. */
  private missed = false;
  private resize = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 600);
    if (w > 0 && Math.abs(w - this.width) > 4) this.width = w;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  protected override shouldUpdate(): boolean {
    if (this.active) return true;
    this.missed = true;
    return false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.layoutOf !== this.rows) {
      this.layout = layoutLadder(this.rows);
      this.layoutOf = this.rows;
    }
    if (changed.has('selected') || changed.has('rows') || this.missed) this.scrollPending = true;
    this.missed = false;
  }

  protected override updated(): void {
    if (!this.scrollPending) return;
    this.scrollPending = false;
    const slot = this.rows.findIndex((r) => r.index === this.selected);
    const box = this.renderRoot.querySelector<HTMLElement>('.scroll');
    if (!box || slot < 0) return;
    const y = slot * ROW;
    const view = box.clientHeight - HEAD;
    if (y < box.scrollTop || y + ROW > box.scrollTop + view) box.scrollTop = Math.max(0, y - view / 2);
  }

  private onClick(e: MouseEvent): void {
    const t = (e.target as Element).closest('[data-index]');
    if (t) emit(this, 'kw-select-event', { index: Number(t.getAttribute('data-index')) });
  }

  /** One arrow; the selected one is drawn again on top, so a step re-renders only that. */
  private arrow(a: LadderLayout['arrows'][number], laneX: (i: number) => number, y: (slot: number) => number, sel: boolean) {
    const x1 = laneX(a.from);
    const x2 = laneX(a.to);
    const dir = x2 > x1 ? 1 : -1;
    return svg`<g data-index=${a.index} style="cursor:pointer">
      <line class="arrow ${sel ? 'sel-arrow' : ''}" x1=${x1 + dir * 4} y1=${y(a.fromSlot)} x2=${x2 - dir * 4} y2=${y(a.toSlot)} marker-end=${sel ? 'url(#ah-sel)' : 'url(#ah)'}></line>
      ${sel ? nothing : svg`<text class="proto" x=${(x1 + x2) / 2} y=${(y(a.fromSlot) + y(a.toSlot)) / 2 - 3} text-anchor="middle">${a.kind}</text>`}
    </g>`;
  }

  override render() {
    if (!this.rows.length) return html`<div class="empty">Select a packet of a traffic item to see its flow as a ladder.</div>`;
    const L = this.layout;
    const n = Math.max(1, L.lanes.length);
    const avail = this.width - GUTTER - 16;
    // Wide pane: lanes, then an Info column. Narrow: lanes fill the pane, words beside the marks.
    let lane = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor((avail - INFO_MIN) / n)));
    const column = avail - lane * n >= INFO_MIN;
    if (!column) lane = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor(avail / n)));
    const laneX = (i: number) => GUTTER + lane * i + lane / 2;
    const infoX = GUTTER + lane * n + 12;
    const width = column ? Math.max(this.width - 4, infoX + INFO_MIN) : GUTTER + lane * n + 8;
    const height = L.slots * ROW + 6;
    const y = (slot: number) => slot * ROW + ROW / 2 + 3;
    const selSlot = this.rows.findIndex((r) => r.index === this.selected);
    const selArrow = L.arrows.find((a) => a.index === this.selected);
    return html`
      <div class="caption">
        ${this.flow ? html`Flow <b>${this.flow}</b>` : html`Packet`}: <b>${this.rows.length}</b> events across <b>${L.lanes.length}</b> hosts${this.omitted
          ? html` (${this.omitted} more not shown)`
          : nothing}
      </div>
      <div class="scroll" @click=${this.onClick}>
        <div class="head" style="width:${width}px">
          <svg width=${width} height=${HEAD} aria-hidden="true">
            <text x="8" y="21" class="lane-name">No.</text>
            <text x="48" y="21" class="lane-name">Time</text>
            ${L.lanes.map((h, i) => svg`<text x=${laneX(i)} y="14" text-anchor="middle" class="lane-name"><title>${h}</title>${clip(h.split('/').pop()!, Math.floor(lane / 7))}</text>
              <text x=${laneX(i)} y="28" text-anchor="middle" class="time">${h.includes('/') ? clip(h.split('/')[0]!, Math.floor(lane / 7)) : ''}</text>`)}
            ${column ? svg`<text x=${infoX} y="21" class="lane-name">Info</text>` : nothing}
          </svg>
        </div>
        <svg width=${width} height=${height} role="list" aria-label="Flow ladder" id="ladder">
          <defs>
            <marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" fill="#2f5fb3"></path>
            </marker>
            <marker id="ah-sel" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" fill="#e8590c"></path>
            </marker>
          </defs>
          ${selSlot >= 0 ? svg`<rect class="sel" x="0" y=${selSlot * ROW + 3} width=${width} height=${ROW}></rect>` : nothing}
          ${guard([this.rows, L, width, lane, column], () => {
            const arrowsBySlot = new Set(L.arrows.map((a) => a.toSlot));
            const laneOfSlot = new Map(L.marks.map((m) => [m.slot, m.lane]));
            const infoChars = column ? Math.max(20, Math.floor((width - infoX) / 6.8)) : 0;
            return svg`
              ${L.lanes.map((_, i) => svg`<line class="lifeline" x1=${laneX(i)} x2=${laneX(i)} y1="0" y2=${height}></line>`)}
              ${this.rows.map((r, slot) => {
                const decision = r.kind !== 'sent' && r.kind !== 'received' && r.kind !== 'delivered';
                const text = `${KIND_LABEL[r.kind] ?? r.kind}  ${r.protocol ? r.summary : r.detail || r.summary}`;
                const cls = `info ${r.kind === 'nat' ? 'nat' : r.kind === 'drop' ? 'drop' : decision ? 'decision' : ''} ${column ? '' : 'inline'}`;
                const x = column ? infoX : laneX(laneOfSlot.get(slot) ?? 0) + 9;
                const chars = column ? infoChars : Math.max(12, Math.floor((width - x) / 6.8));
                return svg`<g role="listitem" data-index=${r.index} aria-label=${`event ${r.index + 1}`}>
                  <rect class="hit" x="0" y=${slot * ROW + 3} width=${width} height=${ROW}></rect>
                  <title>${`${r.index + 1} ${r.host} ${r.iface} ${text}`}</title>
                  <text class="num" x="6" y=${y(slot) + 4}>${r.index + 1}</text>
                  <text class="time" x="48" y=${y(slot) + 4}>${formatSecondsUs(r.time)}</text>
                  <text class=${cls} x=${x} y=${y(slot) + 4}>${clip(text, chars)}</text>
                </g>`;
              })}
              ${L.arrows.map((a) => this.arrow(a, laneX, y, false))}
              ${L.marks.map((m) =>
                m.kind === 'received' && arrowsBySlot.has(m.slot)
                  ? nothing
                  : svg`<g data-index=${m.index} style="cursor:pointer">${
                      m.kind === 'sent' || m.kind === 'received' || m.kind === 'delivered'
                        ? svg`<rect class="mark ${m.kind}" x=${laneX(m.lane) - 3.5} y=${y(m.slot) - 3.5} width="7" height="7"></rect>`
                        : svg`<circle class="mark ${m.kind}" cx=${laneX(m.lane)} cy=${y(m.slot)} r=${m.kind === 'nat' || m.kind === 'drop' ? 5 : 3.5}></circle>`
                    }</g>`,
              )}
            `;
          })}
          ${selArrow ? this.arrow(selArrow, laneX, y, true) : nothing}
        </svg>
      </div>
    `;
  }
}
