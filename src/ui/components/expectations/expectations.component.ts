/**
 * @summary The run's verdict: every expectation with pass/fail and the engine's message, each
 * clickable to the trace event that decided it; then the traffic items with their repeats and
 * the fault timeline. Items carry `data-expectation` and `data-status` for scripts and tests
 * (shared/docs/scenario-format.md, "In the browser").
 *
 * @event kw-select-event - An expectation (with a deciding event) or a repeat was clicked.
 */
import { LitElement, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { PageRunReply } from '../../../api/codec.ts';
import { emit } from '../../events.ts';
import { formatCount, formatDuration, formatSeconds } from '../../lib/format.ts';
import styles from './expectations.styles.ts';

export default class KwExpectations extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) result: PageRunReply | null = null;
  /** The selected event (marks the expectation it belongs to). */
  @property({ type: Number }) selected = -1;
  /** The file has errors (nothing ran). */
  @property({ type: Boolean }) invalid = false;

  private renderTraffic(r: PageRunReply) {
    if (!r.traffic.length) return nothing;
    return html`<h3>Traffic</h3>
      <table>
        <thead><tr><th>item</th><th>from → target</th><th>repeats ok</th></tr></thead>
        <tbody>
          ${r.traffic.map(
            // The counts come with the reply; reading t.repeats would decode every repeat.
            (t) => html`<tr>
              <td>${t.name}</td>
              <td class="mono">${t.from} → ${t.target}</td>
              <td class="mono">${t.ok}/${t.total}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  override render() {
    const r = this.result;
    if (this.invalid) return html`<div class="empty" id="invalid">The scenario has errors, so nothing ran. See the Scenario tab.</div>`;
    if (!r) return html`<div class="empty">Run the scenario to see its expectations.</div>`;
    if (!r.valid) return html`<div class="empty">The scenario has errors, so nothing ran. See the Scenario tab.</div>`;
    const failed = r.expectations.filter((e) => e.status === 'fail').length;
    const total = r.expectations.length;
    return html`
      <div class="summary">
        <span class="verdict ${r.passed ? 'pass' : 'fail'}" id="verdict"
          >${total === 0
            ? 'No expectations'
            : failed === 0
              ? `All ${total} expectation${total === 1 ? '' : 's'} pass`
              : `${failed} of ${total} expectation${total === 1 ? '' : 's'} fail`}</span
        >
        <span>${formatCount(r.traceEvents)} trace events · ${formatDuration(r.simulatedNs)} simulated</span>
        ${r.stop !== 'done' ? html`<span class="stop" role="status">Stopped early (${r.stop}): ${r.stopMessage}</span>` : nothing}
        ${r.traceKept && !r.traceKept.complete ? html`<span class="sampled" id="trace-sampled" role="status">${capitalise(r.traceKept.message)}</span>` : nothing}
        <span class="hash" title="SHA-256 of the trace: equal in Node (kubewire run --json) and here">trace hash ${r.traceHash}</span>
      </div>
      <ul id="expectations" aria-label="Expectations">
        ${r.expectations.map(
          (e) => html`<li class=${e.status} data-expectation=${e.name} data-status=${e.status} aria-current=${e.event !== null && e.event === this.selected ? 'true' : 'false'}>
            <button
              ?disabled=${e.event === null}
              title=${e.event === null ? 'No single event decided this' : `Go to event ${e.event + 1}`}
              @click=${() => e.event !== null && emit(this, 'kw-select-event', { index: e.event })}
            >
              <span class="badge">${e.status}</span>
              <span class="name">${e.name}</span>
              <span class="jump">${e.event !== null ? `event ${e.event + 1} →` : ''}</span>
              <span class="msg">${e.message}</span>
            </button>
          </li>`,
        )}
      </ul>
      ${this.renderTraffic(r)}
      ${r.timeline.length
        ? html`<h3>Timeline</h3>
            <ul class="timeline">
              ${r.timeline.map((t) => html`<li>${formatSeconds(t.time)} ${t.text}</li>`)}
            </ul>`
        : nothing}
    `;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
