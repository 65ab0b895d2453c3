/**
 * @summary The packet list, Wireshark-style: one row per trace event with No., Time, Host,
 * Interface, Event, Source, Destination, Protocol and Info; NAT rewrites and drops stand out.
 * Virtualised: only the rows on screen are in the DOM, and the shell fetches them in pages.
 * A display-filter bar (green when valid, red with the engine's message when not) and a find box
 * sit above it.
 *
 * @event kw-select-event - A row was clicked.
 * @event kw-visible-range - These view rows are on screen (fetch them).
 * @event kw-filter - A display filter was applied or cleared.
 * @event kw-search - Find the next/previous row with this text.
 * @csspart scroller - The scrolling area.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { TraceRow } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import { KIND_LABEL, KIND_TITLE, formatCount, formatSeconds, formatSecondsUs, rowClass } from '../../lib/format.ts';
import { scrollTopFor, virtualWindow } from '../../lib/virtual.ts';
import styles from './packet-list.styles.ts';

const ROW_H = 20;

export default class KwPacketList extends LitElement {
  static override styles = styles;

  /** Rows in the current view (filtered or not). */
  @property({ type: Number }) count = 0;
  /** Rows in the whole trace. */
  @property({ type: Number }) total = 0;
  /** The event number shown at a view row. */
  @property({ attribute: false }) eventAt: (viewIndex: number) => number = (i) => i;
  /** The row of an event number, when fetched. */
  @property({ attribute: false }) rowOf: (index: number) => TraceRow | undefined = () => undefined;
  /** Bumped by the shell when fetched rows arrive. */
  @property({ type: Number }) version = 0;
  /** The selected view row (-1: none). */
  @property({ type: Number }) selected = -1;
  /** The selected event's number (it may be hidden by the filter). */
  @property({ type: Number }) selectedEvent = -1;
  /** The applied display filter and its verdict. */
  @property() filter = '';
  @property() filterError = '';
  /** A line about the last search. */
  @property() searchStatus = '';
  /** True while the trace is being produced. */
  @property({ type: Boolean }) busy = false;
  /** When the trace was sampled past its memory budget: the words saying so ('' for a whole trace). */
  @property() sampled = '';

  @state() private listTop = 0;
  @state() private viewHeight = 400;
  @state() private draftFilter = '';
  @state() private draftSearch = '';

  @query('.scroller') private scroller!: HTMLDivElement;
  private resizeObserver = new ResizeObserver(() => this.measure());
  private lastRange = '';
  /**
   * The list is scrolled to its last row: while the trace streams in, it keeps following the
   * newest events (a live capture's auto-scroll) until the user scrolls up.
   */
  private atEnd = true;
  /** A scroll position the rows were rendered for, to apply once they are in the DOM. */
  private pendingScroll: number | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.draftFilter = this.filter;
  }

  override firstUpdated(): void {
    // The observer reports the first size asynchronously (measuring here would update during an update).
    this.resizeObserver.observe(this.scroller);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
  }

  /** Focuses the list (keyboard stepping). */
  override focus(options?: FocusOptions): void {
    this.scroller?.focus(options);
  }

  private measure(): void {
    if (!this.scroller) return;
    this.viewHeight = Math.max(ROW_H, this.scroller.clientHeight - ROW_H);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('filter')) this.draftFilter = this.filter;
    if (changed.has('count') && this.count === 0) this.atEnd = true;
    // Where the list should be scrolled is worked out from the row geometry (no layout read): the
    // new rows are rendered for it, and updated() scrolls once the DOM is final, so a step costs
    // one layout, not one before the render and another in the frame.
    if (this.busy && changed.has('count') && this.atEnd && this.selected < 0) this.scrollListTo(Number.MAX_SAFE_INTEGER);
    if ((changed.has('selected') || changed.has('count')) && this.selected >= 0) {
      // Keep the selection in view (stepping, following an expectation, a share link).
      this.scrollListTo(scrollTopFor(this.selected, this.count, ROW_H, this.viewHeight, this.listTop));
    }
  }

  /** Renders the rows for scroll position `top` (clamped) and has updated() scroll there. */
  private scrollListTo(top: number): void {
    const max = Math.max(0, virtualWindow(this.count, ROW_H, this.viewHeight, 0).spacer - this.viewHeight);
    const clamped = Math.max(0, Math.min(top, max));
    if (clamped === this.listTop && this.pendingScroll === null) return;
    this.listTop = clamped;
    this.pendingScroll = clamped;
  }

  protected override updated(): void {
    if (this.pendingScroll !== null && this.scroller) {
      // The spacer was rendered at its new height, so this position is not clamped by the old one.
      if (Math.abs(this.scroller.scrollTop - this.pendingScroll) >= 1) this.scroller.scrollTop = this.pendingScroll;
      this.pendingScroll = null;
    }
    const w = virtualWindow(this.count, ROW_H, this.viewHeight, this.listTop);
    const key = `${w.first}:${w.last}:${this.count}`;
    if (key !== this.lastRange && w.last > w.first) {
      this.lastRange = key;
      emit(this, 'kw-visible-range', { from: w.first, to: w.last });
    }
  }

  private onScroll(): void {
    this.listTop = this.scroller.scrollTop;
    const s = this.scroller;
    this.atEnd = s.scrollTop + s.clientHeight >= s.scrollHeight - ROW_H * 1.5;
  }

  private onRowClick(e: MouseEvent): void {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!row) return;
    emit(this, 'kw-select-event', { index: Number(row.dataset['index']) });
    this.scroller.focus({ preventScroll: true });
  }

  private applyFilter(e: Event): void {
    e.preventDefault();
    emit(this, 'kw-filter', { expr: this.draftFilter.trim() });
  }

  private clearFilter(): void {
    this.draftFilter = '';
    emit(this, 'kw-filter', { expr: '' });
  }

  private search(e: Event, backwards = false): void {
    e.preventDefault();
    if (this.draftSearch.trim()) emit(this, 'kw-search', { text: this.draftSearch.trim(), backwards });
  }

  private renderRow(viewIndex: number) {
    const index = this.eventAt(viewIndex);
    const r = this.rowOf(index);
    const selected = viewIndex === this.selected;
    if (!r) {
      return html`<div class="row grid loading" role="row" aria-rowindex=${viewIndex + 2} data-index=${index} aria-selected=${selected ? 'true' : 'false'}>
        <div class="num" role="gridcell">${index + 1}</div><div role="gridcell">…</div>
      </div>`;
    }
    const packet = r.protocol !== '';
    const info = packet ? r.summary : r.detail || r.summary;
    const mark = r.kind === 'sent' ? '→' : r.kind === 'received' ? '←' : r.kind === 'delivered' ? '✓' : KIND_LABEL[r.kind] ?? r.kind;
    return html`<div
      class="row grid ${rowClass(r.kind, r.protocol)}"
      role="row"
      aria-rowindex=${viewIndex + 2}
      aria-selected=${selected ? 'true' : 'false'}
      data-index=${r.index}
      data-kind=${r.kind}
    >
      <div class="num" role="gridcell">${r.index + 1}</div>
      <div class="num" role="gridcell" title=${`${formatSeconds(r.time)} s`}>${formatSecondsUs(r.time)}</div>
      <div role="gridcell" title=${r.host}>${r.host}</div>
      <div role="gridcell" title=${r.iface}>${r.iface}</div>
      <div role="gridcell" title=${r.src}>${r.src}</div>
      <div role="gridcell" title=${r.dst}>${r.dst}</div>
      <div role="gridcell">${r.protocol}</div>
      <div role="gridcell" title=${`${KIND_TITLE[r.kind] ?? r.kind}: ${info}`}><span class="kind k-${r.kind}">${mark}</span>${info}</div>
    </div>`;
  }

  override render() {
    const w = virtualWindow(this.count, ROW_H, this.viewHeight, this.listTop);
    const positions: number[] = [];
    for (let i = w.first; i < w.last; i++) positions.push(i);
    // Keyed by event: scrolling by a row adds one row and drops one; the others keep their DOM
    // (unkeyed, every row's text would change and the whole list be laid out again).
    const rows = repeat(positions, (i) => this.eventAt(i), (i) => this.renderRow(i));
    const filterClass = this.filterError ? 'bad' : this.filter && this.draftFilter.trim() === this.filter ? 'ok' : '';
    return html`
      <div class="bars">
        <form class="filter" @submit=${this.applyFilter} role="search" aria-label="Display filter">
          <input
            class=${filterClass}
            id="filter"
            name="filter"
            spellcheck="false"
            autocomplete="off"
            placeholder="Display filter — ip.addr == 10.2.1.4 && tcp.port == 8080 · dns · nat · drop"
            aria-label="Display filter"
            aria-invalid=${this.filterError ? 'true' : 'false'}
            .value=${this.draftFilter}
            @input=${(e: InputEvent) => (this.draftFilter = (e.target as HTMLInputElement).value)}
          />
          <button type="submit" title="Apply the display filter (Enter)">Apply</button>
          ${this.filter || this.draftFilter ? html`<button type="button" @click=${this.clearFilter} title="Show every event">Clear</button>` : nothing}
        </form>
        <form class="search" @submit=${(e: Event) => this.search(e)} aria-label="Find">
          <input
            id="search"
            name="search"
            spellcheck="false"
            autocomplete="off"
            placeholder="Find text…"
            aria-label="Find text in the rows"
            .value=${this.draftSearch}
            @input=${(e: InputEvent) => (this.draftSearch = (e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter' && e.shiftKey) this.search(e, true);
            }}
          />
          <button type="button" title="Find previous (Shift+Enter)" aria-label="Find previous" @click=${(e: Event) => this.search(e, true)}>▲</button>
          <button type="submit" title="Find next (Enter)" aria-label="Find next">▼</button>
        </form>
        ${this.filterError ? html`<div class="filter-error" role="alert" id="filter-error">${this.filterError}</div>` : nothing}
      </div>
      <div
        class="scroller"
        part="scroller"
        tabindex="0"
        role="grid"
        aria-label="Packet list"
        aria-rowcount=${this.count + 1}
        @scroll=${this.onScroll}
        @click=${this.onRowClick}
      >
        <div class="inner" style="height:${w.spacer + ROW_H}px">
          <div class="header grid" role="row" aria-rowindex="1">
            <div role="columnheader">No.</div>
            <div role="columnheader">Time</div>
            <div role="columnheader">Host</div>
            <div role="columnheader">Interface</div>
            <div role="columnheader">Source</div>
            <div role="columnheader">Destination</div>
            <div role="columnheader">Protocol</div>
            <div role="columnheader">Info</div>
          </div>
          <div class="rows" style="top:${ROW_H}px;transform:translateY(${w.offset}px)">${rows}</div>
        </div>
        ${this.count === 0
          ? html`<div class="empty">${this.busy ? 'Running…' : !this.total ? 'No trace yet: run a scenario.' : this.filter ? 'No event matches the filter.' : ''}</div>`
          : nothing}
      </div>
      <div class="status">
        <span id="displayed">Displayed: ${formatCount(this.count)}${this.filter && this.total ? ` of ${formatCount(this.total)}` : ''}</span>
        ${this.selected < 0 && this.selectedEvent >= 0 && this.filter
          ? html`<span class="hidden-sel" id="hidden-selection">event ${this.selectedEvent + 1} is hidden by the filter</span>`
          : nothing}
        ${this.sampled ? html`<span class="sampled" id="sampled" title=${this.sampled}>sampled trace</span>` : nothing}
        <span class="legend" aria-hidden="true"><span class="nat">NAT</span><span class="drop">drop</span></span>
        <span class="search-status" id="search-status" role="status">${this.searchStatus}</span>
      </div>
    `;
  }
}
