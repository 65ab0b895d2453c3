/**
 * The typed `kw-*` event map: every event a component emits, with its detail. Adding the map to
 * `GlobalEventHandlersEventMap` makes a misspelt event name or a wrong detail a compile error,
 * and `emit` is the one helper that dispatches them (bubbling and composed, as Shoelace does).
 */

/** Which end of the trace to jump to. */
export type JumpTarget = 'start' | 'end';

/** Export formats offered by the page. */
export type ExportFormat = 'pcapng' | 'json';

/** The detail of each `kw-*` event. */
export interface KwEventDetails {
  /** Select one trace event (its 0-based event number). */
  'kw-select-event': { index: number };
  /** Move the selection by `delta` rows of the current (filtered) view. */
  'kw-step': { delta: number };
  /** Jump to the first or last row of the current view. */
  'kw-jump': { to: JumpTarget };
  /** Start or stop playing. */
  'kw-play': { playing: boolean };
  /** Playback speed in steps per second. */
  'kw-speed': { speed: number };
  /** Load and run the editor's text. */
  'kw-run': Record<string, never>;
  /** Stop a running simulation. */
  'kw-cancel': Record<string, never>;
  /** The editor's text changed. */
  'kw-text-change': { text: string };
  /** A file was opened (chooser or drop); its text replaces the editor's. */
  'kw-open-file': { text: string; fileName: string };
  /** Restore or forget the text that was replaced (or left from the last visit). */
  'kw-draft': { action: 'restore' | 'discard' };
  /** A bundled example was picked. */
  'kw-pick-example': { name: string };
  /** A display filter was applied ('' clears it). */
  'kw-filter': { expr: string };
  /** Find the next (or previous) row containing `text`. */
  'kw-search': { text: string; backwards: boolean };
  /** The rows [from, to) of the view are on screen: fetch them. */
  'kw-visible-range': { from: number; to: number };
  /** A packet field (or byte range) was selected: highlight it in the tree and the hex pane. */
  'kw-select-bytes': { offset: number; len: number; key: string };
}

/** The events as the DOM sees them. */
export type KwEventMap = { [K in keyof KwEventDetails]: CustomEvent<KwEventDetails[K]> };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends KwEventMap {}
}

/** Dispatches a typed `kw-*` event from `el` (bubbles, crosses shadow roots). */
export function emit<K extends keyof KwEventDetails>(el: EventTarget, name: K, detail: KwEventDetails[K]): void {
  el.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
