/**
 * @summary The bytes pane: offset, hex and ASCII, 16 bytes a line. The selected field's bytes
 * are highlighted; bytes a NAT rewrite changed are marked. Clicking a byte selects the innermost
 * field that covers it (as Wireshark does).
 *
 * @event kw-select-bytes - A byte was clicked (its innermost field is selected).
 */
import { LitElement, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { Layer } from '../../../engine/wire/describe.ts';
import { emit } from '../../events.ts';
import { fieldAtByte } from '../../lib/fields.ts';
import { HEX_WIDTH, asciiChar, hexByte, hexOffset } from '../../lib/hex.ts';
import styles from './hex-view.styles.ts';

export default class KwHexView extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) bytes: Uint8Array | null = null;
  /** The layers of `bytes` (to find the field under a clicked byte). */
  @property({ attribute: false }) layers: readonly Layer[] | null = null;
  /** The highlighted range. */
  @property({ type: Number }) hlOffset = -1;
  @property({ type: Number }) hlLen = 0;
  /** Byte positions a NAT rewrite changed. */
  @property({ attribute: false }) changed: ReadonlySet<number> = new Set();

  private onClick(e: MouseEvent): void {
    const t = (e.target as HTMLElement).closest<HTMLElement>('[data-i]');
    if (!t || !this.layers) return;
    const pos = Number(t.dataset['i']);
    const f = fieldAtByte(this.layers, pos);
    if (f) emit(this, 'kw-select-bytes', { offset: f.field.offset, len: f.field.len, key: f.key });
  }

  override render() {
    const b = this.bytes;
    if (!b) return html`<div class="empty">No bytes at this event.</div>`;
    const lines = [];
    const lo = this.hlOffset;
    const hi = this.hlOffset + this.hlLen;
    const cls = (i: number, extra = ''): string =>
      `b${extra}${i >= lo && i < hi ? ' hl' : ''}${this.changed.has(i) ? ' ch' : ''}`;
    for (let off = 0; off < b.length; off += HEX_WIDTH) {
      const hex = [];
      const ascii = [];
      for (let i = off; i < off + HEX_WIDTH; i++) {
        if (i < b.length) {
          hex.push(html`<span class=${cls(i, i % 8 === 7 ? ' gap' : '')} data-i=${i}>${hexByte(b[i]!)}</span>${i % HEX_WIDTH !== HEX_WIDTH - 1 ? ' ' : ''}`);
          ascii.push(html`<span class=${cls(i)} data-i=${i}>${asciiChar(b[i]!)}</span>`);
        }
      }
      lines.push(html`<div class="line"><span class="off">${hexOffset(off, b.length)}</span><span class="hex">${hex}</span><span class="ascii">${ascii}</span></div>`);
    }
    return html`<div @click=${this.onClick} role="group" aria-label="Packet bytes" data-bytes=${b.length}>${lines}</div>
      ${this.changed.size || this.hlLen
        ? html`<div class="legend">
            ${this.hlLen ? html`<span class="hl">selected field: bytes ${lo}–${hi - 1}</span> ` : nothing}
            ${this.changed.size ? html`<span class="ch">changed by NAT</span>` : nothing}
          </div>`
        : nothing}`;
  }
}
