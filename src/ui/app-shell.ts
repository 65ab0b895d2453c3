/**
 * kw-app: the application shell. It starts the engine worker, runs the built-in demo there,
 * and lists the trace. The main thread never runs the engine; it only decodes batches.
 */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import * as Comlink from 'comlink';
import type { EngineApi, RunSummary, TraceRow } from '../api/engine-api.ts';
import { decodeBatch } from '../api/codec.ts';

const BATCH = 500;

@customElement('kw-app')
export class KwApp extends LitElement {
  static override styles = css`
    :host { display: block; padding: 16px 24px; font: 14px/1.4 system-ui, sans-serif; }
    header { display: flex; align-items: baseline; gap: 16px; }
    h1 { font-size: 20px; margin: 0; }
    .status { color: #556; }
    .error { color: #b00020; font-weight: 600; }
    dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 12px 0; }
    dt { color: #556; }
    dd { margin: 0; font-family: ui-monospace, monospace; }
    table { border-collapse: collapse; width: 100%; font: 12px/1.3 ui-monospace, monospace; background: white; }
    th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #e4e6ea; white-space: nowrap; }
    th { position: sticky; top: 0; background: #eef0f4; }
    td.summary { white-space: normal; }
    tr.nat td { background: #fff6db; }
    tr.drop td { background: #fde8e8; }
    .scroll { max-height: 70vh; overflow: auto; border: 1px solid #d6d9df; }
  `;

  @state() private status = 'starting the engine worker…';
  @state() private error = '';
  @state() private summary: RunSummary | null = null;
  @state() private rows: TraceRow[] = [];

  private worker: Worker | null = null;
  private engine: Comlink.Remote<EngineApi> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // The URL must be written inline in `new Worker(...)` for Vite to emit the worker chunk.
    this.worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.addEventListener('error', (e) => {
      this.error = `The engine worker failed: ${e.message || 'it could not be loaded'}`;
    });
    this.engine = Comlink.wrap<EngineApi>(this.worker);
    void this.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.worker?.terminate();
  }

  private async run(): Promise<void> {
    const engine = this.engine!;
    try {
      this.status = 'running the demo in the worker…';
      const summary = await engine.runDemo('nat-demo');
      const rows: TraceRow[] = [];
      for (let from = 0; from < summary.events; from += BATCH) {
        rows.push(...decodeBatch(await engine.traceBatch(from, BATCH)).rows);
        this.status = `received ${rows.length} of ${summary.events} events`;
      }
      this.rows = rows;
      this.summary = summary;
      this.status = 'done';
    } catch (e) {
      this.error = `The engine reported an error: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  override render() {
    const s = this.summary;
    return html`
      <header>
        <h1>kubewire</h1>
        <span class="status" id="status">${this.status}</span>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${s
        ? html`<dl>
            <dt>scenario</dt><dd id="scenario-name">${s.name}</dd>
            <dt>events</dt><dd id="event-count">${s.events}</dd>
            <dt>packet-hops</dt><dd id="packet-hops">${s.packetHops}</dd>
            <dt>simulated time</dt><dd>${(s.simulatedNs / 1e6).toFixed(3)} ms</dd>
            <dt>trace hash</dt><dd id="trace-hash">${s.traceHash}</dd>
          </dl>`
        : ''}
      <div class="scroll">
        <table>
          <thead><tr><th>No.</th><th>time (µs)</th><th>host</th><th>iface</th><th>event</th><th>summary</th><th>detail</th></tr></thead>
          <tbody>
            ${this.rows.map(
              (r) => html`<tr class=${r.kind === 'nat' ? 'nat' : r.kind === 'drop' ? 'drop' : ''} data-kind=${r.kind}>
                <td>${r.index + 1}</td><td>${(r.time / 1000).toFixed(3)}</td><td>${r.host}</td><td>${r.iface}</td>
                <td>${r.kind}</td><td class="summary">${r.summary}</td><td>${r.detail}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kw-app': KwApp;
  }
}
