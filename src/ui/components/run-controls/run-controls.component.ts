/**
 * @summary Run controls, Packet Tracer style: run (or cancel a run in flight), jump to start,
 * step back, play/pause, step forward, jump to end, a play speed, the position in the trace,
 * and a progress bar with events and simulated time while the worker runs.
 * Keyboard (handled by the shell): ←/↑/k step back, →/↓/j step forward, space play, Home/End.
 *
 * @event kw-run @event kw-cancel @event kw-step @event kw-jump @event kw-play @event kw-speed
 */
import { LitElement, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { ProgressDto } from '../../../api/engine-api.ts';
import { emit } from '../../events.ts';
import { formatCount, formatDuration, formatSeconds } from '../../lib/format.ts';
import { iconEnd, iconPause, iconPlay, iconRun, iconStart, iconStepBack, iconStepFwd, iconStop } from './icons.ts';
import styles from './run-controls.styles.ts';

/** Play speeds offered, in steps per second. */
export const SPEEDS = [1, 2, 4, 8, 16, 32, 64] as const;

export default class KwRunControls extends LitElement {
  static override styles = styles;

  @property({ type: Boolean }) running = false;
  /** A cancel is under way (the worker finishes its slice and sums up). */
  @property({ type: Boolean }) cancelling = false;
  @property({ type: Boolean }) canRun = false;
  @property({ type: Boolean }) dirty = false;
  @property({ type: Boolean }) playing = false;
  @property({ type: Number }) speed = 4;
  /** Selected row of the view (-1: none) and rows in the view. */
  @property({ type: Number }) position = -1;
  @property({ type: Number }) count = 0;
  /** The selected event's number and time. */
  @property({ type: Number }) event = -1;
  @property({ type: Number }) time = 0;
  @property({ attribute: false }) progress: ProgressDto | null = null;

  override render() {
    const has = this.count > 0 && !this.running;
    const atStart = this.position <= 0;
    const atEnd = this.position >= this.count - 1;
    return html`
      <span class="group">
        ${this.running
          ? html`<button class="cancel" id="cancel" ?disabled=${this.cancelling} @click=${() => emit(this, 'kw-cancel', {})} title="Stop the run (the trace so far is kept)">
              ${iconStop} ${this.cancelling ? 'Stopping…' : 'Cancel'}
            </button>`
          : html`<button
              class="run ${this.dirty ? 'dirty' : ''}"
              id="run"
              ?disabled=${!this.canRun}
              @click=${() => emit(this, 'kw-run', {})}
              title=${this.dirty ? 'Run the edited scenario (Ctrl+Enter)' : 'Run the scenario again (Ctrl+Enter)'}
            >
              ${iconRun} Run
            </button>`}
      </span>
      <span class="group" role="group" aria-label="Step through the trace">
        <button class="icon" id="jump-start" ?disabled=${!has || atStart} @click=${() => emit(this, 'kw-jump', { to: 'start' })} title="First event (Home)" aria-label="First event">${iconStart}</button>
        <button class="icon" id="step-back" ?disabled=${!has || atStart} @click=${() => emit(this, 'kw-step', { delta: -1 })} title="Step back (← or k)" aria-label="Step back">${iconStepBack}</button>
        <button
          class="icon"
          id="play"
          ?disabled=${!has}
          aria-pressed=${this.playing ? 'true' : 'false'}
          @click=${() => emit(this, 'kw-play', { playing: !this.playing })}
          title=${this.playing ? 'Pause (space)' : 'Play (space)'}
          aria-label=${this.playing ? 'Pause' : 'Play'}
        >
          ${this.playing ? iconPause : iconPlay}
        </button>
        <button class="icon" id="step-forward" ?disabled=${!has || atEnd} @click=${() => emit(this, 'kw-step', { delta: 1 })} title="Step forward (→ or j)" aria-label="Step forward">${iconStepFwd}</button>
        <button class="icon" id="jump-end" ?disabled=${!has || atEnd} @click=${() => emit(this, 'kw-jump', { to: 'end' })} title="Last event (End)" aria-label="Last event">${iconEnd}</button>
      </span>
      <label
        >Speed
        <select
          id="speed"
          .value=${String(this.speed)}
          @change=${(e: Event) => emit(this, 'kw-speed', { speed: Number((e.target as HTMLSelectElement).value) })}
          aria-label="Play speed (events per second)"
        >
          ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === this.speed}>${s}/s</option>`)}
        </select></label
      >
      ${this.running && this.progress
        ? html`<span class="progress" role="progressbar" aria-label="Simulation progress" aria-valuetext=${`${this.progress.events} events`}>
            <span class="bar"></span>
            <span id="progress-text">${formatCount(this.progress.events)} events · ${formatCount(this.progress.traceEvents)} traced · ${formatDuration(this.progress.simulatedNs)} simulated</span>
          </span>`
        : this.count > 0
          ? html`<span class="pos" id="position" data-event=${this.event}
              >${this.position >= 0 ? html`<span title="event number · row in the (filtered) list · simulated time">Event <b>${this.event + 1}</b> · ${formatCount(this.position + 1)}/${formatCount(this.count)} · <b>${formatSeconds(this.time)}</b> s</span>` : html`${this.event >= 0 ? html`Event <b>${this.event + 1}</b> (not in the filtered list) · ` : nothing}${formatCount(this.count)} rows`}</span
            >`
          : nothing}
    `;
  }
}
