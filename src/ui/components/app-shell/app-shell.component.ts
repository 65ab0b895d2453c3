/**
 * @summary The application shell: the only component with state. It owns the engine worker
 * (EngineController) and the trace rows (TraceCache), keeps the scenario text, the run's result,
 * the display filter and the selected event, and hands each view what it shows. Views talk back
 * with `kw-*` events (src/ui/events.ts).
 *
 * It opens on a share link (`#s=…&at=N`), else `?scenario=NAME`, else the ClusterIP example,
 * and runs it. `window.kubewire` offers load / run / trace / select to scripts.
 */
import { LitElement, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { EventDetailDto, EventInfo, LoadReply, ProblemDto, StateAtDto, TopologyDto, TraceRow } from '../../../api/engine-api.ts';
import type { PageRunReply } from '../../../api/codec.ts';
import { describePacket, type Layer } from '../../../engine/wire/describe.ts';
import { EngineController, EngineFailure, RunAborted } from '../../controllers/engine-controller.ts';
import { TraceCache, yieldToEventLoop } from '../../controllers/trace-cache.ts';
import type { ExportFormat, KwEventDetails } from '../../events.ts';
import { EXAMPLES, defaultExample } from '../../examples.ts';

/** The examples' names (one array, so the editor does not re-render on every step). */
const EXAMPLE_NAMES = [...EXAMPLES.keys()];
import { rewrittenBytes } from '../../lib/fields.ts';
import { hostPath } from '../../lib/ladder.ts';
import { decodeShareHash, encodeShareHash } from '../../lib/share.ts';
import { tokens } from '../../tokens.ts';
import '../expectations/expectations.ts';
import '../flow-ladder/flow-ladder.ts';
import '../hex-view/hex-view.ts';
import '../packet-detail/packet-detail.ts';
import '../packet-list/packet-list.ts';
import '../run-controls/run-controls.ts';
import '../scenario-editor/scenario-editor.ts';
import '../state-view/state-view.ts';
import '../topology-view/topology-view.ts';
import '../why-here/why-here.ts';
import type { WhyStep } from '../why-here/why-here.ts';
import type KwScenarioEditor from '../scenario-editor/scenario-editor.component.ts';
import type { KubewireScriptApi } from '../../script-api.ts';
import styles from './app-shell.styles.ts';

type TopTab = 'topology' | 'ladder' | 'scenario';
type SideTab = 'why' | 'state' | 'expectations';

/** Where the editor's text is kept between visits (and across worker crashes). */
const STORE_KEY = 'kubewire.editor.v1';
/** The most flow events the ladder draws (a window around the selection). */
const LADDER_MAX = 600;
/** Rows searched per chunk before yielding. */
const SEARCH_CHUNK = 512;

function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function download(data: BlobPart, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default class KwAppShell extends LitElement {
  static override styles = [tokens, styles];

  private engine = new EngineController(this, () => void this.afterRestart());
  private cache = new TraceCache(
    null,
    () => this.rowsVersion++,
    (e) => this.reportError(e),
  );

  // Scenario
  @state() private text = '';
  @state() private fileName = '';
  @state() private example = '';
  @state() private draft: string | null = null;
  @state() private problems: ProblemDto[] = [];
  @state() private loadReply: LoadReply | null = null;
  @state() private ranText: string | null = null;

  // Run
  /** Where the scenario is (also `data-status` on the element, for scripts and tests). */
  @state() private phase: 'idle' | 'loading' | 'running' | 'ready' | 'invalid' | 'error' = 'idle';
  @state() private result: PageRunReply | null = null;
  @state() private topology: TopologyDto | null = null;
  @state() private total = 0;
  @state() private rowsVersion = 0;

  // View
  @state() private filterExpr = '';
  @state() private filterError = '';
  @state() private filterIndices: Uint32Array | null = null;
  @state() private searchStatus = '';
  @state() private selected = -1;
  @state() private info: EventInfo | null = null;
  @state() private layers: readonly Layer[] | null = null;
  @state() private beforeLayers: readonly Layer[] | null = null;
  @state() private changed: ReadonlySet<number> = new Set();
  @state() private selBytes: KwEventDetails['kw-select-bytes'] | null = null;
  @state() private flowRows: TraceRow[] = [];
  @state() private flowOmitted = 0;
  @state() private whySteps: WhyStep[] = [];
  @state() private ruleset = '';
  @state() private rulesetNote = '';
  @state() private stateAt: StateAtDto | null = null;
  @state() private playing = false;
  @state() private speed = 4;
  @state() private topTab: TopTab = 'topology';
  @state() private sideTab: SideTab = 'why';
  @state() private dragging = false;

  // Messages
  @state() private error = '';
  @state() private notice = '';
  @state() private shareUrl = '';

  private lastVisible = { from: 0, to: 0 };
  private rulesets = new Map<string, Promise<string>>();
  private wantedSelection = -1;
  private loadingSelection = false;
  private selectionDone: (() => void)[] = [];
  private playTimer = 0;
  private saveTimer = 0;
  private searchToken = 0;
  private runInFlight: Promise<PageRunReply | null> | null = null;

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
    window.addEventListener('hashchange', this.onHashChange);
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
    window.kubewire = this.scriptApi();
    void this.open();
  }

  protected override updated(): void {
    this.dataset['status'] = this.engine.status === 'failed' ? 'failed' : this.phase;
    // For scripts and tests: the selected event, and the event the detail views show (equal once
    // a selection's views are filled).
    this.dataset['selected'] = String(this.selected);
    this.dataset['shown'] = String(this.info?.row.index ?? -1);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
    window.removeEventListener('hashchange', this.onHashChange);
    this.stopPlaying();
  }

  /** Opens what the URL names (share link, ?scenario=, else the default example) and runs it. */
  private async open(): Promise<void> {
    let at: number | null = null;
    let problem = '';
    const stored = this.readStored();
    try {
      const shared = await decodeShareHash(location.hash);
      if (shared) {
        this.text = shared.text;
        this.fileName = 'shared.yaml';
        this.example = '';
        at = shared.at;
      }
    } catch (e) {
      problem = message(e);
    }
    if (!this.text) {
      const asked = new URLSearchParams(location.search).get('scenario');
      let name = defaultExample();
      if (asked !== null) {
        if (EXAMPLES.has(asked)) name = asked;
        else problem = `There is no bundled scenario named “${asked}”; opened ${name || 'an empty editor'} instead.`;
      }
      this.useExample(name, false);
    }
    if (stored !== null && stored !== this.text && !this.isBundled(stored)) this.draft = stored;
    if (this.text.trim()) await this.runScenario(at);
    // After the run, which clears old messages: say why the page shows something else than asked.
    if (problem) this.error = problem;
  }

  private async afterRestart(): Promise<void> {
    this.error = '';
    this.clearTrace();
    this.rulesets.clear();
    if (this.text.trim()) await this.runScenario(this.selected >= 0 ? this.selected : null);
  }

  // ------------------------------------------------------------------------------------------
  // Scenario text

  private isBundled(text: string): boolean {
    for (const t of EXAMPLES.values()) if (t === text) return true;
    return false;
  }

  private readStored(): string | null {
    try {
      const raw = localStorage.getItem(STORE_KEY);
      if (!raw) return null;
      const v = JSON.parse(raw) as { text?: unknown };
      return typeof v.text === 'string' ? v.text : null;
    } catch {
      return null;
    }
  }

  private store(): void {
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      try {
        localStorage.setItem(STORE_KEY, JSON.stringify({ text: this.text, fileName: this.fileName, savedAt: Date.now() }));
      } catch {
        // Storage full or disabled: the text still lives in the page.
      }
    }, 300);
  }

  /** Replaces the editor's text, keeping the old text restorable when it was the user's own. */
  private replaceText(text: string, fileName: string, example: string): void {
    if (this.text && this.text !== text && !this.isBundled(this.text)) this.draft = this.text;
    this.text = text;
    this.fileName = fileName;
    this.example = example;
    this.problems = [];
  }

  private useExample(name: string, keepDraft = true): void {
    const text = EXAMPLES.get(name) ?? '';
    if (keepDraft) this.replaceText(text, `${name}.yaml`, name);
    else {
      this.text = text;
      this.fileName = name ? `${name}.yaml` : 'scenario.yaml';
      this.example = name;
    }
  }

  private get dirty(): boolean {
    return this.ranText !== null && this.text !== this.ranText;
  }

  // ------------------------------------------------------------------------------------------
  // Running

  /** Loads and runs the editor's text; selects `at` (or the first event) afterwards. */
  private runScenario(at: number | null = null): Promise<PageRunReply | null> {
    if (this.runInFlight) return this.runInFlight;
    this.runInFlight = this.doRun(at).finally(() => (this.runInFlight = null));
    return this.runInFlight;
  }

  private async doRun(at: number | null): Promise<PageRunReply | null> {
    this.stopPlaying();
    this.error = '';
    this.notice = '';
    const text = this.text;
    const fileName = this.fileName || 'scenario.yaml';
    this.phase = 'loading';
    try {
      const reply = await this.engine.call('load', (api) => api.load(text, fileName));
      this.loadReply = reply;
      this.problems = [...reply.errors, ...reply.warnings];
      if (!reply.ok) {
        this.clearTrace();
        this.result = null;
        this.ranText = text;
        this.topTab = 'scenario';
        this.updateTitle(reply.name || fileName);
        this.phase = 'invalid';
        return null;
      }
      this.updateTitle(reply.name || fileName);
      this.clearTrace();
      this.ranText = text;
      this.phase = 'running';
      // The packet list streams the trace as it is recorded (like a live capture): each progress
      // report says how many events exist, and the list fetches the pages it shows.
      this.cache.reset(0, (from, count) => this.engine.call('traceBatch', (api) => api.traceBatch(from, count)));
      const result = await this.engine.run((p) => {
        this.cache.grow(p.traceEvents);
        this.total = p.traceEvents;
      });
      this.cache.grow(result.traceEvents);
      this.total = result.traceEvents;
      this.cache.wantRange(0, 64);
      this.topology = await this.engine.call('topology', (api) => api.topology());
      if (this.filterExpr) await this.applyFilter(this.filterExpr);
      if (this.viewCount > 0) {
        const first = at !== null && at >= 0 && at < this.total ? at : this.eventAt(0);
        await this.select(first);
      }
      if (this.topTab === 'scenario' && !this.problems.some((p) => p.severity === 'error')) this.topTab = 'topology';
      this.result = result;
      this.phase = 'ready';
      return result;
    } catch (e) {
      this.phase = 'error';
      if (e instanceof RunAborted) {
        this.clearTrace();
        this.notice = e.message;
      } else this.reportError(e);
      return null;
    }
  }

  private updateTitle(name: string): void {
    document.title = name ? `${name} — kubewire` : 'kubewire';
  }

  private clearTrace(): void {
    this.stopPlaying();
    this.result = null;
    this.topology = null;
    this.total = 0;
    this.cache.reset(0, null);
    this.filterIndices = null;
    this.filterError = '';
    this.selected = -1;
    this.clearSelection();
    this.rulesets.clear();
  }

  private clearSelection(): void {
    this.info = null;
    this.layers = null;
    this.beforeLayers = null;
    this.changed = new Set();
    this.selBytes = null;
    this.flowRows = [];
    this.flowOmitted = 0;
    this.whySteps = [];
    this.ruleset = '';
    this.rulesetNote = '';
    this.stateAt = null;
  }

  private reportError(e: unknown): void {
    if (e instanceof EngineFailure) return; // The failure banner explains it.
    this.error = message(e);
  }

  // ------------------------------------------------------------------------------------------
  // The view (filtered or not)

  private get viewCount(): number {
    return this.filterIndices ? this.filterIndices.length : this.total;
  }

  private eventAt = (v: number): number => (this.filterIndices ? (this.filterIndices[v] ?? -1) : v);

  private viewIndexOf(index: number): number {
    if (index < 0) return -1;
    if (!this.filterIndices) return index < this.total ? index : -1;
    const k = lowerBound(this.filterIndices, index);
    return this.filterIndices[k] === index ? k : -1;
  }

  private rowOf = (index: number): TraceRow | undefined => this.cache.get(index);

  private onVisibleRange(from: number, to: number): void {
    this.lastVisible = { from, to };
    if (!this.filterIndices) this.cache.wantRange(from, to);
    else this.cache.want(Array.from(this.filterIndices.subarray(from, to)));
  }

  private async applyFilter(expr: string): Promise<void> {
    this.searchStatus = '';
    if (!expr) {
      this.filterExpr = '';
      this.filterError = '';
      this.filterIndices = null;
      this.onVisibleRange(this.lastVisible.from, this.lastVisible.to);
      return;
    }
    if (!this.total) {
      this.filterExpr = expr;
      return;
    }
    try {
      const reply = await this.engine.call('filter', (api) => api.filter(expr));
      if (!reply.ok) {
        this.filterError = reply.error || 'invalid filter';
        return;
      }
      this.filterExpr = expr;
      this.filterError = '';
      this.filterIndices = reply.indices;
      if (this.selected >= 0 && this.viewIndexOf(this.selected) < 0 && reply.indices.length) {
        const k = Math.min(lowerBound(reply.indices, this.selected), reply.indices.length - 1);
        void this.select(reply.indices[k]!);
      }
    } catch (e) {
      this.reportError(e);
    }
  }

  private async search(text: string, backwards: boolean): Promise<void> {
    const n = this.viewCount;
    if (!n) return;
    const token = ++this.searchToken;
    const needle = text.toLowerCase();
    const start = this.viewIndexOf(this.selected);
    let pos = start < 0 ? (backwards ? n - 1 : 0) : start + (backwards ? -1 : 1);
    let scanned = 0;
    this.searchStatus = `Searching for “${text}”…`;
    while (scanned < n) {
      if (pos < 0) pos = n - 1;
      if (pos >= n) pos = 0;
      const len = Math.min(SEARCH_CHUNK, n - scanned, backwards ? pos + 1 : n - pos);
      const views = Array.from({ length: len }, (_, k) => (backwards ? pos - k : pos + k));
      const rows = await this.cache.rows(views.map(this.eventAt));
      if (token !== this.searchToken) return;
      const hit = rows.find((r) => `${r.host} ${r.iface} ${r.src} ${r.dst} ${r.protocol} ${r.summary} ${r.detail}`.toLowerCase().includes(needle));
      if (hit) {
        this.searchStatus = `Found “${text}” at event ${hit.index + 1}`;
        await this.select(hit.index);
        return;
      }
      scanned += len;
      pos += backwards ? -len : len;
      this.searchStatus = `Searching for “${text}”… ${scanned} of ${n} rows`;
      await yieldToEventLoop();
    }
    this.searchStatus = `No row contains “${text}”`;
  }

  // ------------------------------------------------------------------------------------------
  // Selection

  /** Selects an event and fills the detail views (the latest request wins while stepping fast). */
  private select(index: number): Promise<void> {
    if (index < 0 || index >= this.total) return Promise.resolve();
    this.selected = index;
    this.wantedSelection = index;
    const done = new Promise<void>((r) => this.selectionDone.push(r));
    if (!this.loadingSelection) void this.loadSelections();
    return done;
  }

  private async loadSelections(): Promise<void> {
    this.loadingSelection = true;
    try {
      while (this.wantedSelection >= 0) {
        const index = this.wantedSelection;
        try {
          await this.loadSelection(index);
        } catch (e) {
          this.reportError(e);
        }
        if (this.wantedSelection === index) this.wantedSelection = -1;
      }
    } finally {
      this.loadingSelection = false;
      const waiters = this.selectionDone.splice(0);
      for (const w of waiters) w();
    }
  }

  private async loadSelection(index: number): Promise<void> {
    const stale = () => this.wantedSelection !== index && this.wantedSelection !== -1;
    const info = await this.engine.call('event', (api) => api.event(index));
    if (stale()) return;
    const layers = info.bytes ? describePacket(info.bytes, info.linkType ?? 'ethernet') : null;
    const before = info.beforeBytes ? describePacket(info.beforeBytes, info.beforeLinkType ?? info.linkType ?? 'ethernet') : null;
    // Flow rows (a window around the selection for very long flows).
    let flowIdx = info.flowEvents.length ? info.flowEvents : [];
    // The worker sends a window of a long flow's events; the ladder says how many it leaves out.
    let omitted = Math.max(0, (info.flowEventsTotal ?? flowIdx.length) - flowIdx.length);
    if (flowIdx.length > LADDER_MAX) {
      const at = Math.max(0, flowIdx.indexOf(index));
      const from = Math.max(0, Math.min(at - LADDER_MAX / 2, flowIdx.length - LADDER_MAX));
      omitted += flowIdx.length - LADDER_MAX;
      flowIdx = flowIdx.slice(from, from + LADDER_MAX);
    }
    let flowRows = flowIdx.length ? await this.cache.rows(flowIdx) : [];
    if (stale()) return;
    // What this host did with this packet: the events around the selection at the same host.
    let context = flowRows;
    if (!context.some((r) => r.index === index)) {
      const lo = Math.max(0, index - 24);
      context = await this.cache.rows(Array.from({ length: Math.min(this.total, index + 25) - lo }, (_, k) => lo + k));
      if (stale()) return;
    }
    const at = context.findIndex((r) => r.index === index);
    const host = info.row.host;
    const sameTrip = (r: TraceRow) => r.host === host && (info.row.uid === 0 || r.uid === 0 || r.uid === info.row.uid);
    let a = at;
    let b = at;
    if (at >= 0) {
      while (a > 0 && sameTrip(context[a - 1]!) && at - a < 20) a--;
      while (b < context.length - 1 && sameTrip(context[b + 1]!) && b - at < 20) b++;
    }
    const group = at >= 0 ? context.slice(a, b + 1) : [info.row];
    // The other decisions' details in one round trip (sent/received frames need none).
    const wanted = group.filter((r) => r.index !== index && r.kind !== 'sent' && r.kind !== 'received').map((r) => r.index);
    const fetched = wanted.length ? await this.engine.call('eventDetails', (api) => api.eventDetails(wanted)) : [];
    if (stale()) return;
    const byIndex = new Map(wanted.map((i, k) => [i, fetched[k] ?? null]));
    const details = group.map((r): EventDetailDto | null => (r.index === index ? info.detail : (byIndex.get(r.index) ?? null)));
    const steps = group.map((row, k) => ({ row, detail: details[k] ?? null }));
    let ruleset = '';
    let rulesetNote = '';
    if (steps.some((s) => s.row.kind === 'netfilter')) {
      try {
        ruleset = await this.rulesetOf(host);
        if (!ruleset.trim()) rulesetNote = `${host} has no iptables rules`;
      } catch (e) {
        rulesetNote = `iptables-save of ${host} is not available: ${message(e)}`;
      }
      if (stale()) return;
    }
    this.info = info;
    this.layers = layers;
    this.beforeLayers = before;
    this.changed = layers && before ? rewrittenBytes(layers, before) : new Set();
    this.selBytes = null;
    this.flowRows = flowRows;
    this.flowOmitted = omitted;
    this.whySteps = steps;
    this.ruleset = ruleset;
    this.rulesetNote = rulesetNote;
    if (this.sideTab === 'state') await this.loadState(index);
    else this.stateAt = null;
  }

  private rulesetOf(host: string): Promise<string> {
    let p = this.rulesets.get(host);
    if (!p) {
      p = this.engine.call('iptablesSave', (api) => api.iptablesSave(host));
      this.rulesets.set(host, p);
      p.catch(() => this.rulesets.delete(host));
    }
    return p;
  }

  private async loadState(index: number): Promise<void> {
    if (index < 0) return;
    try {
      const s = await this.engine.call('stateAt', (api) => api.stateAt(index));
      if (this.selected === index) this.stateAt = s;
    } catch (e) {
      this.reportError(e);
    }
  }

  private step(delta: number): void {
    const n = this.viewCount;
    if (!n || this.engine.running) return;
    let pos = this.viewIndexOf(this.selected);
    if (pos < 0) {
      pos = this.filterIndices ? lowerBound(this.filterIndices, Math.max(0, this.selected)) - (delta > 0 ? 1 : 0) : 0;
    }
    const next = Math.max(0, Math.min(n - 1, pos + delta));
    if (next !== pos || this.viewIndexOf(this.selected) < 0) void this.select(this.eventAt(next));
  }

  private jump(to: 'start' | 'end'): void {
    if (!this.viewCount) return;
    void this.select(this.eventAt(to === 'start' ? 0 : this.viewCount - 1));
  }

  // ------------------------------------------------------------------------------------------
  // Playing

  private setPlaying(on: boolean): void {
    if (on === this.playing) return;
    if (!on) return this.stopPlaying();
    if (!this.viewCount) return;
    if (this.viewIndexOf(this.selected) >= this.viewCount - 1) this.jump('start');
    this.playing = true;
    this.scheduleTick();
  }

  private scheduleTick(): void {
    window.clearTimeout(this.playTimer);
    this.playTimer = window.setTimeout(() => {
      if (!this.playing) return;
      const pos = this.viewIndexOf(this.selected);
      if (pos >= this.viewCount - 1) {
        this.stopPlaying();
        return;
      }
      this.step(1);
      this.scheduleTick();
    }, 1000 / this.speed);
  }

  private stopPlaying(): void {
    this.playing = false;
    window.clearTimeout(this.playTimer);
  }

  // ------------------------------------------------------------------------------------------
  // Keyboard, drag and drop, URL

  private onKeyDown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.altKey || e.metaKey || e.ctrlKey) return;
    const typing = e.composedPath().some((t) => t instanceof HTMLElement && (/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName) || t.isContentEditable));
    if (typing) return;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowRight':
      case 'j':
        this.step(1);
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
      case 'k':
        this.step(-1);
        break;
      case 'PageDown':
        this.step(20);
        break;
      case 'PageUp':
        this.step(-20);
        break;
      case 'Home':
        this.jump('start');
        break;
      case 'End':
        this.jump('end');
        break;
      case ' ':
        this.setPlaying(!this.playing);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  private onHashChange = (): void => {
    void decodeShareHash(location.hash)
      .then((shared) => {
        if (!shared) return;
        if (shared.text === this.text) {
          if (shared.at !== null) void this.select(shared.at);
          return;
        }
        this.replaceText(shared.text, 'shared.yaml', '');
        void this.runScenario(shared.at);
      })
      .catch((e) => (this.error = message(e)));
  };

  private onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    this.dragging = true;
  };

  private onDragLeave = (e: DragEvent): void => {
    if (e.relatedTarget === null) this.dragging = false;
  };

  private onDrop = (e: DragEvent): void => {
    this.dragging = false;
    if (e.defaultPrevented) return;
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    void file.text().then((text) => this.openFile(text, file.name));
  };

  private openFile(text: string, fileName: string): void {
    this.replaceText(text, fileName, '');
    this.store();
    this.topTab = 'scenario';
    void this.runScenario();
  }

  private async share(): Promise<void> {
    try {
      const hash = await encodeShareHash(this.text, this.selected >= 0 ? this.selected : null);
      const url = new URL(location.href);
      url.searchParams.delete('scenario');
      url.hash = hash;
      history.replaceState(null, '', url);
      this.shareUrl = url.href;
      try {
        await navigator.clipboard.writeText(url.href);
        this.notice = 'Share link copied to the clipboard.';
      } catch {
        this.notice = 'Share link:';
      }
    } catch (e) {
      this.error = `Could not make a share link: ${message(e)}`;
    }
  }

  private async exportTrace(format: ExportFormat): Promise<void> {
    const base = (this.loadReply?.name || this.fileName.replace(/\.ya?ml$/, '') || 'trace').replace(/[^\w.-]+/g, '_');
    try {
      if (format === 'pcapng') {
        const bytes = await this.engine.call('pcapng', (api) => api.pcapng(), 60_000);
        download(bytes as BlobPart, 'application/vnd.tcpdump.pcap', `${base}.pcapng`);
      } else {
        const text = await this.engine.call('traceJson', (api) => api.traceJson(), 60_000);
        download(text, 'application/json', `${base}.trace.json`);
      }
    } catch (e) {
      this.reportError(e);
    }
  }

  private scriptApi(): KubewireScriptApi {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const app = this;
    return {
      async load(text: string) {
        app.replaceText(text, 'script.yaml', '');
        const reply = await app.engine.call('load', (api) => api.load(text, 'script.yaml'));
        app.loadReply = reply;
        app.problems = [...reply.errors, ...reply.warnings];
        return reply;
      },
      run: () => this.runScenario(),
      async trace() {
        const out: TraceRow[] = [];
        await app.cache.scan(0, app.total, (rows) => (out.push(...rows), true));
        return out;
      },
      select: (n: number) => this.select(n),
      get result() {
        return app.result;
      },
      get streamed() {
        return { ...app.cache.stats };
      },
    };
  }

  // ------------------------------------------------------------------------------------------
  // Event handlers from the views

  private onShowTab(panel: string, tab: string): void {
    if (panel === 'top') this.topTab = tab as TopTab;
    else {
      this.sideTab = tab as SideTab;
      if (tab === 'state' && this.selected >= 0 && (!this.stateAt || this.info?.row.index !== this.selected)) void this.loadState(this.selected);
    }
  }

  private renderTabs<T extends string>(panel: 'top' | 'side', current: T, tabs: [T, string, unknown?][]) {
    return html`<div role="tablist" aria-label=${panel === 'top' ? 'Cluster views' : 'Explanations'}>
      ${tabs.map(
        ([id, label, note]) => html`<button
          role="tab"
          id="tab-${id}"
          aria-selected=${current === id ? 'true' : 'false'}
          aria-controls="panel-${id}"
          @click=${() => this.onShowTab(panel, id)}
        >
          ${label}${note ? html`<span class="tab-note">${note}</span>` : nothing}
        </button>`,
      )}
    </div>`;
  }

  /** The hosts the selected flow visits; the same array until the flow or row changes, so a step
   * that only moves the selection does not re-render the topology. */
  private pathOf(row: TraceRow | null): readonly string[] {
    const m = this.pathMemo;
    if (m.rows !== this.flowRows || m.row !== row) this.pathMemo = { rows: this.flowRows, row, path: hostPath(this.flowRows.length ? this.flowRows : row ? [row] : []) };
    return this.pathMemo.path;
  }
  private pathMemo: { rows: readonly TraceRow[]; row: TraceRow | null; path: readonly string[] } = { rows: [], row: null, path: [] };

  override render() {
    const r = this.result;
    const row = this.info?.row ?? null;
    const failed = r ? r.expectations.filter((e) => e.status === 'fail').length : 0;
    const errors = this.problems.filter((p) => p.severity === 'error').length;
    const position = this.viewIndexOf(this.selected);
    const animMs = this.playing ? Math.min(600, Math.round((1000 / this.speed) * 0.8)) : 0;
    const path = this.pathOf(row);
    const name = this.loadReply?.name || this.fileName;
    return html`
      <header>
        <span class="brand">kube<span>wire</span></span>
        <span class="scenario">
          <span class="name" id="scenario-name" title=${name}>${name}</span>
          ${this.loadReply?.description ? html`<span class="desc" title=${this.loadReply.description}>${this.loadReply.description}</span>` : nothing}
        </span>
        <kw-run-controls
          .running=${this.engine.running}
          .cancelling=${this.engine.cancelling}
          .canRun=${this.engine.status !== 'failed' && this.engine.status !== 'starting' && !!this.text.trim()}
          .dirty=${this.dirty}
          .playing=${this.playing}
          .speed=${this.speed}
          .position=${position}
          .count=${this.viewCount}
          .event=${this.selected}
          .time=${row?.time ?? 0}
          .progress=${this.engine.progress}
          @kw-run=${() => void this.runScenario()}
          @kw-cancel=${() => void this.engine.cancel()}
          @kw-step=${(e: CustomEvent<KwEventDetails['kw-step']>) => this.step(e.detail.delta)}
          @kw-jump=${(e: CustomEvent<KwEventDetails['kw-jump']>) => this.jump(e.detail.to)}
          @kw-play=${(e: CustomEvent<KwEventDetails['kw-play']>) => this.setPlaying(e.detail.playing)}
          @kw-speed=${(e: CustomEvent<KwEventDetails['kw-speed']>) => {
            this.speed = e.detail.speed;
            if (this.playing) this.scheduleTick();
          }}
        ></kw-run-controls>
        <span class="actions">
          ${r && r.valid
            ? html`<button
                class="verdict ${failed ? 'fail' : 'pass'}"
                id="verdict-badge"
                title="Show the expectations"
                @click=${() => (this.sideTab = 'expectations')}
              >
                ${failed ? `✗ ${failed} of ${r.expectations.length} fail` : `✓ ${r.expectations.length} pass`}
              </button>`
            : nothing}
          <button id="share" ?disabled=${!this.text.trim()} @click=${() => void this.share()} title="Copy a link that opens this scenario at this event">Share</button>
          <button id="export-pcapng" ?disabled=${!this.total} @click=${() => void this.exportTrace('pcapng')} title="Download the trace as pcapng (Wireshark, tshark)">pcapng</button>
          <button id="export-json" ?disabled=${!this.total} @click=${() => void this.exportTrace('json')} title="Download the trace as JSON">JSON</button>
        </span>
      </header>
      ${this.engine.status === 'failed'
        ? html`<div class="banner failure" role="alert" id="worker-failure">
            <span class="grow"><b>The engine stopped.</b> ${this.engine.failure}. Your scenario text is kept.</span>
            <button id="restart" @click=${() => this.engine.restart()}>Restart the engine</button>
          </div>`
        : nothing}
      ${this.error
        ? html`<div class="banner error" role="alert" id="error">
            <span class="grow">${this.error}</span>
            <button @click=${() => (this.error = '')}>Dismiss</button>
          </div>`
        : nothing}
      ${this.notice
        ? html`<div class="banner info" role="status" id="notice">
            <span>${this.notice}</span>
            ${this.shareUrl ? html`<input id="share-url" readonly .value=${this.shareUrl} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />` : nothing}
            <button
              @click=${() => {
                this.notice = '';
                this.shareUrl = '';
              }}
            >
              Close
            </button>
          </div>`
        : nothing}
      <main class=${this.topTab === 'scenario' ? 'editing' : ''}>
        <section class="pane top" aria-label="Cluster">
          ${this.renderTabs('top', this.topTab, [
            ['topology', 'Topology'],
            ['ladder', 'Flow ladder'],
            ['scenario', 'Scenario', errors ? `${errors} error${errors === 1 ? '' : 's'}` : ''],
          ])}
          <div role="tabpanel" id="panel-topology" aria-labelledby="tab-topology" ?hidden=${this.topTab !== 'topology'}>
            <kw-topology-view
              .topology=${this.topology}
              .row=${row}
              .path=${path}
              .animMs=${animMs}
              @kw-filter=${(e: CustomEvent<KwEventDetails['kw-filter']>) => void this.applyFilter(e.detail.expr)}
            ></kw-topology-view>
          </div>
          <div role="tabpanel" id="panel-ladder" aria-labelledby="tab-ladder" ?hidden=${this.topTab !== 'ladder'}>
            <kw-flow-ladder
              .rows=${this.flowRows}
              .selected=${this.selected}
              .flow=${row?.flow ?? 0}
              .omitted=${this.flowOmitted}
              .active=${this.topTab === 'ladder'}
              @kw-select-event=${(e: CustomEvent<KwEventDetails['kw-select-event']>) => void this.select(e.detail.index)}
            ></kw-flow-ladder>
          </div>
          <div role="tabpanel" id="panel-scenario" aria-labelledby="tab-scenario" ?hidden=${this.topTab !== 'scenario'}>
            <kw-scenario-editor
              .text=${this.text}
              .fileName=${this.fileName}
              .examples=${EXAMPLE_NAMES}
              .example=${this.example}
              .problems=${this.problems}
              .draft=${this.draft}
              @kw-text-change=${(e: CustomEvent<KwEventDetails['kw-text-change']>) => {
                this.text = e.detail.text;
                this.store();
              }}
              @kw-open-file=${(e: CustomEvent<KwEventDetails['kw-open-file']>) => this.openFile(e.detail.text, e.detail.fileName)}
              @kw-pick-example=${(e: CustomEvent<KwEventDetails['kw-pick-example']>) => {
                this.useExample(e.detail.name);
                void this.runScenario();
              }}
              @kw-run=${() => void this.runScenario()}
              @kw-draft=${(e: CustomEvent<KwEventDetails['kw-draft']>) => {
                if (e.detail.action === 'restore' && this.draft !== null) {
                  const d = this.draft;
                  this.draft = null;
                  this.replaceText(d, this.fileName || 'scenario.yaml', '');
                  this.store();
                } else this.draft = null;
              }}
            ></kw-scenario-editor>
          </div>
        </section>
        <section class="pane list" aria-label="Packet list">
          <kw-packet-list
            .count=${this.viewCount}
            .total=${this.total}
            .eventAt=${this.eventAt}
            .rowOf=${this.rowOf}
            .version=${this.rowsVersion}
            .selected=${position}
            .selectedEvent=${this.selected}
            .filter=${this.filterExpr}
            .filterError=${this.filterError}
            .searchStatus=${this.searchStatus}
            .busy=${this.engine.running}
            .sampled=${this.result?.traceKept && !this.result.traceKept.complete ? this.result.traceKept.message : ''}
            @kw-visible-range=${(e: CustomEvent<KwEventDetails['kw-visible-range']>) => this.onVisibleRange(e.detail.from, e.detail.to)}
            @kw-select-event=${(e: CustomEvent<KwEventDetails['kw-select-event']>) => void this.select(e.detail.index)}
            @kw-filter=${(e: CustomEvent<KwEventDetails['kw-filter']>) => void this.applyFilter(e.detail.expr)}
            @kw-search=${(e: CustomEvent<KwEventDetails['kw-search']>) => void this.search(e.detail.text, e.detail.backwards)}
          ></kw-packet-list>
        </section>
        <section class="pane detail" aria-label="Packet detail">
          <h2>Packet detail${this.info?.bytes ? html`&nbsp;· ${this.info.bytes.length} bytes · ${this.info.linkType}` : nothing}</h2>
          <div class="detail-body ${this.info?.bytes ? '' : 'no-bytes'}" @kw-select-bytes=${(e: CustomEvent<KwEventDetails['kw-select-bytes']>) => (this.selBytes = e.detail)}>
            <kw-packet-detail
              .layers=${this.layers}
              .beforeLayers=${this.beforeLayers}
              .selectedKey=${this.selBytes?.key ?? ''}
              .heading=${row && this.info?.bytes ? `Event ${row.index + 1} · ${row.host} ${row.iface} · ${row.kind}` : ''}
              .emptyText=${row ? `Event ${row.index + 1} (${row.kind}) carries no packet bytes: ${row.detail || row.summary}` : 'Select a packet.'}
            ></kw-packet-detail>
            <kw-hex-view
              .bytes=${this.info?.bytes ?? null}
              .layers=${this.layers}
              .hlOffset=${this.selBytes?.offset ?? -1}
              .hlLen=${this.selBytes?.len ?? 0}
              .changed=${this.changed}
            ></kw-hex-view>
          </div>
        </section>
        <section class="pane side" aria-label="Explanations">
          ${this.renderTabs('side', this.sideTab, [
            ['why', 'Why here'],
            ['state', 'State at this event'],
            ['expectations', 'Expectations', r && failed ? `${failed} failed` : ''],
          ])}
          <div role="tabpanel" id="panel-why" aria-labelledby="tab-why" ?hidden=${this.sideTab !== 'why'}>
            <kw-why-here
              .row=${row}
              .detail=${this.info?.detail ?? null}
              .steps=${this.whySteps}
              .ruleset=${this.ruleset}
              .rulesetNote=${this.rulesetNote}
              @kw-select-event=${(e: CustomEvent<KwEventDetails['kw-select-event']>) => void this.select(e.detail.index)}
            ></kw-why-here>
          </div>
          <div role="tabpanel" id="panel-state" aria-labelledby="tab-state" ?hidden=${this.sideTab !== 'state'}>
            <kw-state-view .state=${this.stateAt} .host=${row?.host ?? ''} .event=${this.selected}></kw-state-view>
          </div>
          <div role="tabpanel" id="panel-expectations" aria-labelledby="tab-expectations" ?hidden=${this.sideTab !== 'expectations'}>
            <kw-expectations
              .result=${r}
              .invalid=${this.phase === 'invalid'}
              .selected=${this.selected}
              @kw-select-event=${(e: CustomEvent<KwEventDetails['kw-select-event']>) => void this.select(e.detail.index)}
            ></kw-expectations>
          </div>
        </section>
      </main>
      ${this.dragging ? html`<div class="dropzone">Drop a scenario file to open it</div>` : nothing}
    `;
  }

  /** The editor element (for tests and focus). */
  get editor(): KwScenarioEditor | null {
    return this.renderRoot.querySelector('kw-scenario-editor');
  }
}
