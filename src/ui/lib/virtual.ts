/**
 * Virtual scrolling arithmetic for the packet list: which rows to render for a scroll position.
 * Browsers cap an element's height (Chromium near 33.5 M px), so beyond `maxPx` the spacer is
 * capped and the scroll position maps proportionally onto rows (whole-row steps).
 */

/** The rows to render and where to put them. */
export interface VirtualWindow {
  /** First row to render (inclusive). */
  first: number;
  /** One past the last row to render. */
  last: number;
  /** translateY of the rendered block, px. */
  offset: number;
  /** Height of the scroll spacer, px. */
  spacer: number;
  /** True when the spacer is capped and rows map proportionally. */
  scaled: boolean;
}

/** Chromium's limit is about 33.5 M px and Firefox's about 17.9 M px; stay below both. */
export const MAX_SPACER_PX = 16_000_000;

/** Rows to render for `count` rows of `rowHeight` px in a viewport of `viewHeight` px scrolled to `scrollTop`. */
export function virtualWindow(count: number, rowHeight: number, viewHeight: number, scrollTop: number, overscan = 8, maxPx = MAX_SPACER_PX): VirtualWindow {
  const full = count * rowHeight;
  const visible = Math.ceil(viewHeight / rowHeight) + 1;
  if (full <= maxPx) {
    const top = Math.max(0, Math.min(scrollTop, Math.max(0, full - viewHeight)));
    const firstVisible = Math.floor(top / rowHeight);
    const first = Math.max(0, firstVisible - overscan);
    const last = Math.min(count, firstVisible + visible + overscan);
    return { first, last, offset: first * rowHeight, spacer: full, scaled: false };
  }
  // Scaled: the scroll fraction picks a (fractional) row for the top of the view; the rendered
  // block sits at the scroll position minus the fraction of a row, so motion stays smooth.
  const range = Math.max(1, maxPx - viewHeight);
  const top = Math.max(0, Math.min(scrollTop, range));
  const pos = (top / range) * Math.max(0, count - visible + 1);
  const first = Math.min(Math.floor(pos), Math.max(0, count - 1));
  const last = Math.min(count, first + visible + 1);
  return { first, last, offset: top - (pos - first) * rowHeight, spacer: maxPx, scaled: true };
}

/** The scrollTop that shows `row` (keeps it in view with minimal movement; centres it on a long jump). */
export function scrollTopFor(row: number, count: number, rowHeight: number, viewHeight: number, scrollTop: number, maxPx = MAX_SPACER_PX): number {
  const full = count * rowHeight;
  if (full <= maxPx) {
    const top = row * rowHeight;
    if (top >= scrollTop && top + rowHeight <= scrollTop + viewHeight) return scrollTop;
    if (top < scrollTop && scrollTop - top <= viewHeight) return top;
    if (top + rowHeight > scrollTop + viewHeight && top + rowHeight - (scrollTop + viewHeight) <= viewHeight) return top + rowHeight - viewHeight;
    return Math.max(0, top - viewHeight / 2);
  }
  const visible = Math.ceil(viewHeight / rowHeight) + 1;
  const w = virtualWindow(count, rowHeight, viewHeight, scrollTop, 0, maxPx);
  if (row >= w.first && row < w.last - 1) return scrollTop;
  const target = Math.max(0, row - Math.floor(visible / 2));
  const range = Math.max(1, maxPx - viewHeight);
  return Math.round((target / Math.max(1, count - visible + 1)) * range);
}
