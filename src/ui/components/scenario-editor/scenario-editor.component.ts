/**
 * @summary The scenario editor: pick a bundled example, open a file (chooser or drag-and-drop),
 * or edit the YAML in place. Line numbers in a gutter; the loader's problems are marked at their
 * line and column (gutter, wavy underline, the message after the line) and listed below, each
 * clickable to put the caret there. Ctrl+Enter runs.
 *
 * @event kw-text-change - The text was edited.
 * @event kw-open-file - A file was opened.
 * @event kw-pick-example - A bundled example was picked.
 * @event kw-run - Ctrl+Enter.
 * @event kw-draft - Restore or discard the replaced text.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { ProblemDto } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import styles from './scenario-editor.styles.ts';

const LINE_PX = 18;
const PAD_PX = 6;

export default class KwScenarioEditor extends LitElement {
  static override styles = styles;

  @property() text = '';
  @property() fileName = '';
  /** Names of the bundled examples. */
  @property({ attribute: false }) examples: readonly string[] = [];
  /** The example the text came from ('' when it came from elsewhere). */
  @property() example = '';
  /** Errors and warnings from the last load, positioned. */
  @property({ attribute: false }) problems: readonly ProblemDto[] = [];
  /** Text that was replaced and can be restored (null: none). */
  @property({ attribute: false }) draft: string | null = null;

  @state() private codeTop = 0;
  @state() private codeLeft = 0;
  @state() private caret = { line: 1, col: 1 };
  @state() private dragging = false;

  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private fileInput!: HTMLInputElement;

  private lines: string[] = [''];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('text')) this.lines = this.text.split('\n');
  }

  /** Puts the caret at a 1-based line and column and scrolls there. */
  reveal(line: number, column: number): void {
    const ta = this.textarea;
    if (!ta) return;
    let offset = 0;
    for (let i = 0; i < line - 1 && i < this.lines.length; i++) offset += this.lines[i]!.length + 1;
    offset += Math.max(0, column - 1);
    ta.focus({ preventScroll: true });
    ta.setSelectionRange(offset, offset);
    ta.scrollTop = Math.max(0, (line - 4) * LINE_PX);
    this.onScroll();
    this.updateCaret();
  }

  private onInput(): void {
    emit(this, 'kw-text-change', { text: this.textarea.value });
    this.updateCaret();
  }

  private onScroll(): void {
    this.codeTop = this.textarea.scrollTop;
    this.codeLeft = this.textarea.scrollLeft;
  }

  private updateCaret(): void {
    const ta = this.textarea;
    const before = ta.value.slice(0, ta.selectionStart);
    const nl = before.lastIndexOf('\n');
    this.caret = { line: before.split('\n').length, col: before.length - nl };
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      emit(this, 'kw-run', {});
    }
  }

  private async openFiles(files: FileList | null | undefined): Promise<void> {
    const file = files?.[0];
    if (!file) return;
    const text = await file.text();
    emit(this, 'kw-open-file', { text, fileName: file.name });
  }

  private onDragOver(e: DragEvent): void {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    void this.openFiles(e.dataTransfer?.files);
  }

  private renderOverlay() {
    const marks = [];
    for (const p of this.problems) {
      if (p.line < 1) continue;
      const top = PAD_PX + (p.line - 1) * LINE_PX;
      const lineText = this.lines[p.line - 1] ?? '';
      const col = Math.max(1, Math.min(p.column, lineText.length + 1));
      const rest = lineText.slice(col - 1);
      const word = /^\S+/.exec(rest)?.[0] ?? ' ';
      marks.push(html`<div class="band ${p.severity}" style="top:${top}px"></div>
        <div class="squiggle ${p.severity}" style="top:${top}px;left:calc(${PAD_PX}px + ${col - 1}ch)">${word}</div>
        <div class="inline-msg ${p.severity}" data-line=${p.line} style="top:${top}px;left:calc(${PAD_PX}px + ${lineText.length + 3}ch)">◀ ${p.message}</div>`);
    }
    return marks;
  }

  override render() {
    const bad = new Map<number, ProblemDto>();
    for (const p of this.problems) if (!bad.has(p.line) || p.severity === 'error') bad.set(p.line, p);
    const errors = this.problems.filter((p) => p.severity === 'error');
    const warnings = this.problems.filter((p) => p.severity === 'warning');
    return html`
      <div class="toolbar">
        <label
          >Example
          <select
            id="example"
            aria-label="Bundled example"
            @change=${(e: Event) => emit(this, 'kw-pick-example', { name: (e.target as HTMLSelectElement).value })}
          >
            ${this.example ? nothing : html`<option value="" selected>(your file)</option>`}
            ${this.examples.map((n) => html`<option value=${n} ?selected=${n === this.example}>${n}</option>`)}
          </select></label
        >
        <button id="open-file" @click=${() => this.fileInput.click()} title="Open a scenario YAML file">Open file…</button>
        <input type="file" accept=".yaml,.yml,.txt,text/yaml,application/yaml" @change=${(e: Event) => void this.openFiles((e.target as HTMLInputElement).files)} />
        <span class="file" title=${this.fileName}>${this.fileName}</span>
        <span class="hint">drop a .yaml file here · Ctrl+Enter runs</span>
      </div>
      ${this.draft !== null
        ? html`<div class="draft" role="status">
            <span>Your earlier text (${this.draft.split('\n').length} lines) was replaced.</span>
            <button id="restore-draft" @click=${() => emit(this, 'kw-draft', { action: 'restore' })}>Restore it</button>
            <button @click=${() => emit(this, 'kw-draft', { action: 'discard' })}>Discard</button>
          </div>`
        : nothing}
      <div class="editor" @dragover=${this.onDragOver} @dragleave=${() => (this.dragging = false)} @drop=${this.onDrop}>
        <div class="gutter" aria-hidden="true">
          <div class="gutter-inner" style="transform:translateY(${-this.codeTop}px)">
            ${this.lines.map((_, i) => {
              const p = bad.get(i + 1);
              return html`<div class="ln ${p ? p.severity : ''}" title=${p ? p.message : ''}>${i + 1}</div>`;
            })}
          </div>
        </div>
        <div class="code">
          <div class="overlay" aria-hidden="true">
            <div class="overlay-inner" style="transform:translate(${-this.codeLeft}px, ${-this.codeTop}px)">${this.renderOverlay()}</div>
          </div>
          <textarea
            id="editor"
            spellcheck="false"
            autocapitalize="off"
            autocomplete="off"
            wrap="off"
            aria-label="Scenario YAML"
            aria-invalid=${errors.length ? 'true' : 'false'}
            .value=${live(this.text)}
            @input=${this.onInput}
            @scroll=${this.onScroll}
            @keydown=${this.onKeyDown}
            @keyup=${this.updateCaret}
            @click=${this.updateCaret}
          ></textarea>
        </div>
        ${this.dragging ? html`<div class="dropzone">Drop the scenario file to open it</div>` : nothing}
      </div>
      <div class="status">
        <span>Ln ${this.caret.line}, Col ${this.caret.col}</span>
        <span>${this.lines.length} lines</span>
        ${errors.length
          ? html`<span class="errors" id="error-count">${errors.length} error${errors.length === 1 ? '' : 's'}</span>`
          : html`<span class="ok">no errors</span>`}
        ${warnings.length ? html`<span>${warnings.length} warning${warnings.length === 1 ? '' : 's'}</span>` : nothing}
      </div>
      ${this.problems.length
        ? html`<ul class="problems" id="problems" aria-label="Problems in the scenario">
            ${this.problems.map(
              (p) => html`<li class=${p.severity} data-line=${p.line} data-column=${p.column}>
                <button @click=${() => this.reveal(p.line, p.column)} title="Go to line ${p.line}, column ${p.column}"><span class="sev">${p.severity}</span><span class="where">${p.file}:${p.line}:${p.column}</span> ${p.object ? `${p.object} ` : ''}${p.path ? html`<span class="path">${p.path}</span>: ` : nothing}${p.message}</button>
              </li>`,
            )}
          </ul>`
        : nothing}
    `;
  }
}
