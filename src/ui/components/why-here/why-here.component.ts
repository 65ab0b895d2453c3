/**
 * @summary Why here: what the host did with the selected packet, in the order it did it (like
 * Packet Tracer's OSI tab, but from the real trace): the frame arriving, ARP/bridge decisions,
 * each netfilter hook with its table, chain, rule and verdict, the NAT rewrite, the route chosen,
 * the conntrack entry with its original and reply tuples, and the frame leaving or being
 * dropped. The host's `iptables-save` text is shown with the deciding rules marked.
 *
 * @event kw-select-event - A step was clicked.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { EventDetailDto, TraceRow } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import { afterNextPaint } from '../../lib/frame.ts';
import { KIND_LABEL, KIND_TITLE } from '../../lib/format.ts';
import { indexRuleset, type RulesetIndex } from '../../lib/iptables.ts';
import styles from './why-here.styles.ts';

/** One thing the host did with the packet. */
export interface WhyStep {
  row: TraceRow;
  detail: EventDetailDto | null;
}

export default class KwWhyHere extends LitElement {
  static override styles = styles;

  /** The selected event. */
  @property({ attribute: false }) row: TraceRow | null = null;
  @property({ attribute: false }) detail: EventDetailDto | null = null;
  /** Everything this host did with this packet around the selected event, in order. */
  @property({ attribute: false }) steps: readonly WhyStep[] = [];
  /** The host's ruleset as iptables-save prints it ('' when the host has none or it is loading). */
  @property() ruleset = '';
  @property() rulesetNote = '';

  @state() private wholeRuleset = false;

  private scrollHit = false;
  /** The ruleset split and indexed once per text (steps on one host share it). */
  private rulesetIndex: RulesetIndex | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ruleset') || changed.has('row')) this.scrollHit = true;
  }

  protected override updated(): void {
    if (!this.scrollHit) return;
    this.scrollHit = false;
    // After the paint: measuring the rule's offset would hold up the frame that shows the step.
    afterNextPaint(() => this.scrollToHit());
  }

  private scrollToHit(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.save');
    const hit = this.renderRoot.querySelector<HTMLElement>('.save .hit.selected') ?? this.renderRoot.querySelector<HTMLElement>('.save .hit');
    if (box && hit) box.scrollTop = Math.max(0, hit.offsetTop - box.clientHeight / 3);
  }

  /** One step in words. */
  private stepText(s: WhyStep): string {
    const d = s.detail;
    const r = s.row;
    switch (r.kind) {
      case 'received':
        return `arrived on ${r.iface}: ${r.summary}`;
      case 'sent':
        return `left on ${r.iface}: ${r.summary}`;
      case 'netfilter':
        return d ? `${d.hook ?? ''} · ${d.table ?? ''} table · chain ${d.chain ?? '?'} → ${d.verdict ?? '?'}${d.rulesEvaluated !== undefined ? ` (${d.rulesEvaluated} rules evaluated)` : ''}` : r.detail;
      case 'nat':
        return d?.before && d.after ? `${d.manip ?? 'NAT'}: ${d.before} → ${d.after}` : r.detail;
      case 'route':
        return d?.route ? `route: ${d.route}` : r.detail;
      case 'conntrack':
        return d?.orig ? `conntrack ${d.state ?? 'entry'}: ${d.orig} | reply ${d.reply ?? '?'}` : r.detail;
      case 'drop':
        return `dropped: ${d?.reason ?? r.detail}`;
      case 'delivered':
        return `delivered to a local socket: ${r.detail || r.summary}`;
      default:
        return d?.text ?? (r.detail || r.summary);
    }
  }

  private renderSteps() {
    if (!this.row) return nothing;
    const host = this.row.host;
    return html`<h3>What ${host} did with this packet</h3>
      <ol class="steps" id="steps">
        ${this.steps.map(
          (s) => html`<li aria-current=${s.row.index === this.row!.index ? 'true' : 'false'} data-index=${s.row.index}>
            <button @click=${() => emit(this, 'kw-select-event', { index: s.row.index })} title="Event ${s.row.index + 1}: ${KIND_TITLE[s.row.kind] ?? s.row.kind}">
              <span class="k ${s.row.kind}">${KIND_LABEL[s.row.kind] ?? s.row.kind}</span>
              <span class="text">${this.stepText(s)}</span>
            </button>
          </li>`,
        )}
      </ol>`;
  }

  /** The steps of one kind (the selected one first). */
  private ofKind(kind: string): WhyStep[] {
    const sel = this.row?.index;
    const all = this.steps.filter((s) => s.row.kind === kind);
    return [...all.filter((s) => s.row.index === sel), ...all.filter((s) => s.row.index !== sel)];
  }

  private renderNetfilter() {
    const nf = this.ofKind('netfilter');
    return html`<h3>Netfilter</h3>
      ${nf.length === 0
        ? html`<p class="none">No netfilter hook was traversed for this packet here.</p>`
        : html`<dl id="netfilter">
            ${nf.map((s) => {
              const d = s.detail ?? {};
              return html`<dt>${d.hook ?? '?'}</dt>
                <dd>
                  <b>${d.table ?? '?'}</b> / ${d.chain ?? '?'} → <span class="verdict-${d.verdict ?? ''}">${d.verdict ?? s.row.detail}</span>${d.rulesEvaluated !== undefined
                    ? html` · ${d.rulesEvaluated} rules evaluated`
                    : nothing}
                  ${d.path?.length ? html`<div>via ${d.path.map((p) => html`<div>${p}</div>`)}</div>` : nothing}
                  ${d.rule ? html`<div><b>${d.rule}</b></div>` : nothing}
                </dd>`;
            })}
          </dl>`}`;
  }

  private renderRoute() {
    const rt = this.ofKind('route');
    return html`<h3>Route chosen</h3>
      ${rt.length === 0
        ? html`<p class="none">No routing decision for this packet here (bridged, or delivered locally).</p>`
        : html`<dl id="route">${rt.map((s) => html`<dt>route</dt><dd>${s.detail?.route ?? s.row.detail}</dd>`)}</dl>`}`;
  }

  private renderConntrack() {
    const ct = this.ofKind('conntrack');
    const nat = this.ofKind('nat');
    return html`<h3>Conntrack</h3>
      ${ct.length === 0
        ? html`<p class="none">No new conntrack entry here${nat.length ? ' (the rewrite replays an existing entry)' : ''}.</p>`
        : ct.map(
            (s) => html`<table class="tuples" id="conntrack">
              <tr><th>original</th><td>${s.detail?.orig ?? ''}</td></tr>
              <tr><th>reply</th><td>${s.detail?.reply ?? ''}</td></tr>
              ${s.detail?.state ? html`<tr><th>state</th><td>${s.detail.state}</td></tr>` : nothing}
            </table>`,
          )}
      ${nat.length
        ? html`<dl>
            ${nat.map((s) => html`<dt>${s.detail?.manip ?? 'NAT'}</dt><dd>${s.detail?.before ?? ''} → ${s.detail?.after ?? ''}</dd>`)}
          </dl>`
        : nothing}
      ${ct.length && ct[0]!.detail?.reply && ct[0]!.detail.orig
        ? html`<p class="explain">Replies match the reply tuple, so conntrack undoes the rewrite on the way back.</p>`
        : nothing}`;
  }

  private renderL2() {
    const l2 = this.ofKind('l2');
    return html`<h3>ARP / bridge</h3>
      ${l2.length === 0
        ? html`<p class="none">No ARP or bridge decision for this packet here.</p>`
        : html`<dl id="l2">${l2.map((s) => html`<dt>${s.row.iface || 'l2'}</dt><dd>${s.detail?.text ?? s.row.detail}</dd>`)}</dl>`}`;
  }

  /** The netfilter event whose rule matters most here: the selected one, else the last one before it (what led to a NAT rewrite, a route, a drop). */
  private primaryRule(): number {
    const sel = this.row?.index ?? -1;
    let best = -1;
    for (const s of this.steps) if (s.row.kind === 'netfilter' && s.detail?.rule && s.row.index <= sel) best = s.row.index;
    if (best < 0) best = this.steps.find((s) => s.row.kind === 'netfilter' && s.detail?.rule)?.row.index ?? -1;
    return best;
  }

  private renderRuleset() {
    const rules = this.ofKind('netfilter').filter((s) => s.detail?.rule);
    if (!rules.length && !this.rulesetNote) return nothing;
    const text = this.ruleset;
    if (this.rulesetIndex?.text !== text) this.rulesetIndex = indexRuleset(text);
    const index = this.rulesetIndex;
    const primary = this.primaryRule();
    const hits = new Map<number, boolean>();
    const paths = new Set<number>();
    for (const s of rules) {
      const line = index.find(s.detail!.rule!, s.detail!.table);
      if (line >= 0) hits.set(line, (hits.get(line) ?? false) || s.row.index === primary);
      for (const p of s.detail!.path ?? []) {
        const pl = index.find(p, s.detail!.table);
        if (pl >= 0) paths.add(pl);
      }
    }
    const tables = index.tables;
    const hitTables = new Set(rules.map((s) => s.detail!.table));
    const shown = this.wholeRuleset ? tables : tables.filter((t) => hitTables.has(t.name));
    return html`<h3>Ruleset of ${this.row?.host ?? ''}</h3>
      <div class="save-head">
        <span>${this.rulesetNote || `iptables-save · ${hits.size} deciding rule${hits.size === 1 ? '' : 's'} marked`}</span>
        ${text
          ? html`<label><input type="checkbox" .checked=${this.wholeRuleset} @change=${(e: Event) => (this.wholeRuleset = (e.target as HTMLInputElement).checked)} /> all tables</label>`
          : nothing}
      </div>
      ${text
        ? html`<div class="save" id="ruleset" role="region" aria-label="iptables-save">
            ${shown.map((t) =>
              t.lines.map((line, k) => {
                const n = t.start + k;
                const hit = hits.get(n);
                const cls = line.startsWith('*') ? 'table' : hit !== undefined ? `hit${hit ? ' selected' : ''}` : paths.has(n) ? 'path' : '';
                return html`<div class="l ${cls}"><span class="n">${n + 1}</span><span>${line}</span></div>`;
              }),
            )}
          </div>`
        : nothing}`;
  }

  override render() {
    const r = this.row;
    if (!r) return html`<div class="empty">Select an event to see why the packet went where it went.</div>`;
    return html`
      <header>
        <div class="where">Event ${r.index + 1} at ${r.host}${r.iface ? html` · ${r.iface}` : nothing}: ${KIND_TITLE[r.kind] ?? r.kind}</div>
        <div class="what">${r.protocol ? r.summary : r.detail || r.summary}</div>
      </header>
      ${this.renderSteps()} ${this.renderNetfilter()} ${this.renderRoute()} ${this.renderConntrack()} ${this.renderL2()} ${this.renderRuleset()}
    `;
  }
}
