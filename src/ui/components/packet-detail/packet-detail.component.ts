/**
 * @summary The packet detail: the frame's layer tree as engine/wire's describePacket gives it,
 * every field with its value. For a NAT event each rewritten field shows before → after.
 * Clicking a field selects its bytes (the hex pane highlights them).
 *
 * @event kw-select-bytes - A field (or a whole layer) was selected.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { Field, Layer } from '../../../engine/wire/describe.ts';
import { emit } from '../../events.ts';
import { rewrittenFields } from '../../lib/fields.ts';
import styles from './packet-detail.styles.ts';

export default class KwPacketDetail extends LitElement {
  static override styles = styles;

  /** The frame's layers (null: the event carries no bytes). */
  @property({ attribute: false }) layers: readonly Layer[] | null = null;
  /** For a NAT event: the layers just before the rewrite. */
  @property({ attribute: false }) beforeLayers: readonly Layer[] | null = null;
  /** The selected field's key. */
  @property() selectedKey = '';
  /** One line above the tree (frame length, link type). */
  @property() heading = '';
  /** What to say when there are no bytes. */
  @property() emptyText = 'Select a packet.';

  private rewritten = new Map<string, string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('layers') || changed.has('beforeLayers')) this.rewritten = this.layers ? rewrittenFields(this.layers, this.beforeLayers) : new Map();
  }

  private select(offset: number, len: number, key: string): void {
    emit(this, 'kw-select-bytes', { offset, len, key });
  }

  private renderFields(fields: readonly Field[], prefix: string): TemplateResult {
    const seen = new Map<string, number>();
    return html`<ul role="group">
      ${fields.map((f): TemplateResult => {
        const n = seen.get(f.name) ?? 0;
        seen.set(f.name, n + 1);
        const key = `${prefix}/${f.name}#${n}`;
        const before = this.rewritten.get(key);
        const selected = key === this.selectedKey;
        return html`<li role="treeitem" aria-selected=${selected ? 'true' : 'false'}>
          <span
            class="field ${before !== undefined ? 'changed' : ''}"
            tabindex="0"
            data-key=${key}
            data-offset=${f.offset}
            data-len=${f.len}
            aria-selected=${selected ? 'true' : 'false'}
            title=${`bytes ${f.offset}–${f.offset + f.len - 1} (${f.len})`}
            @click=${() => this.select(f.offset, f.len, key)}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                e.stopPropagation();
                this.select(f.offset, f.len, key);
              }
            }}
            ><span class="fname">${f.name}</span>${f.value === '' && before === undefined
              ? nothing
              : before !== undefined
                ? html`: <del>${before}</del> → <ins>${f.value}</ins>`
                : html`: ${f.value}`}</span
          >
          ${f.children?.length ? this.renderFields(f.children, key) : nothing}
        </li>`;
      })}
    </ul>`;
  }

  override render() {
    if (!this.layers) return html`<div class="empty">${this.emptyText}</div>`;
    const layerSeen = new Map<string, number>();
    const changedLayers = new Set([...this.rewritten.keys()].map((k) => k.split('/')[0]));
    return html`
      ${this.heading
        ? html`<div class="head">
            <b>${this.heading}</b>
            ${this.rewritten.size ? html` · <span class="nat-note">${this.rewritten.size} field${this.rewritten.size === 1 ? '' : 's'} rewritten by NAT (before → after)</span>` : nothing}
          </div>`
        : nothing}
      <div role="tree" aria-label="Packet detail">
        ${this.layers.map((layer) => {
          const ln = layerSeen.get(layer.layer) ?? 0;
          layerSeen.set(layer.layer, ln + 1);
          const prefix = `${layer.layer}#${ln}`;
          return html`<details open data-layer=${layer.layer}>
            <summary
              class="${layer.error ? 'err' : ''} ${changedLayers.has(prefix) ? 'changed' : ''}"
              @click=${() => this.select(layer.offset, layer.len, prefix)}
              ><span class="lname">${layer.layer}</span>: ${layer.summary}</summary
            >
            ${layer.error ? html`<div class="error">⚠ ${layer.error}</div>` : nothing} ${this.renderFields(layer.fields, prefix)}
          </details>`;
        })}
      </div>
    `;
  }
}
