/**
 * @summary State at the selected event: conntrack tables and ARP/neighbour caches per host,
 * the Endpoints kube-proxy had per Service, and the DNS answers sent so far. Stepping back shows
 * the earlier state (the engine answers `stateAt(index)`). The selected event's host comes first
 * and open.
 */
import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { StateAtDto } from '../../../api/engine-api.ts';
import { formatSeconds } from '../../lib/format.ts';
import styles from './state-view.styles.ts';

export default class KwStateView extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) state: StateAtDto | null = null;
  /** The selected event's host (shown first). */
  @property() host = '';
  /** The selected event's number. */
  @property({ type: Number }) event = -1;

  @state() private onlyHere = false;

  private perHost(title: string, id: string, groups: { host: string; entries: string[] }[], split: boolean) {
    const sorted = [...groups.filter((g) => g.host === this.host), ...groups.filter((g) => g.host !== this.host && !this.onlyHere)];
    const total = groups.reduce((n, g) => n + g.entries.length, 0);
    return html`<h3>${title} <span class="count">(${total} on ${groups.length} host${groups.length === 1 ? '' : 's'})</span></h3>
      ${sorted.length === 0
        ? html`<p class="none">None yet.</p>`
        : html`<div id=${id}>
            ${sorted.map(
              (g) => html`<details ?open=${g.host === this.host || sorted.length <= 2} data-host=${g.host}>
                <summary class=${g.host === this.host ? 'here' : ''}>${g.host} (${g.entries.length})</summary>
                <table>
                  ${split ? html`<tr><th>original</th><th>reply</th></tr>` : nothing}
                  ${g.entries.map((e) => {
                    if (!split) return html`<tr><td>${e}</td></tr>`;
                    const [orig, reply] = e.split(' | ');
                    return html`<tr><td>${orig}</td><td>${reply ?? ''}</td></tr>`;
                  })}
                </table>
              </details>`,
            )}
          </div>`}`;
  }

  override render() {
    const s = this.state;
    if (!s) return html`<div class="empty">Select an event to see the tables as they were at that moment.</div>`;
    return html`
      <header>
        <span>State after event <b>${this.event + 1}</b> at t=<b>${formatSeconds(s.time)}</b> s</span>
        <label><input type="checkbox" .checked=${this.onlyHere} @change=${(e: Event) => (this.onlyHere = (e.target as HTMLInputElement).checked)} /> only ${this.host || 'this host'}</label>
      </header>
      ${this.perHost('Conntrack', 'state-conntrack', s.conntrack, true)} ${this.perHost('ARP / neighbours', 'state-neighbors', s.neighbors, false)}
      <h3>Endpoints <span class="count">(as kube-proxy had them)</span></h3>
      ${s.endpoints.length === 0
        ? html`<p class="none">No Services.</p>`
        : html`<table id="state-endpoints" style="margin-left:10px">
            ${s.endpoints.map(
              (e) => html`<tr>
                <td class="svc">${e.service}</td>
                <td>${e.addresses.length ? e.addresses.join(', ') : '(none ready)'}</td>
              </tr>`,
            )}
          </table>`}
      <h3>DNS answers so far <span class="count">(${s.dns.length})</span></h3>
      ${s.dns.length === 0
        ? html`<p class="none">None yet.</p>`
        : html`<ul id="state-dns">
            ${s.dns.map((d) => html`<li><span class="t">${formatSeconds(d.time)}</span>${d.text}</li>`)}
          </ul>`}
    `;
  }
}
