/**
 * Runs `fn` just after the next frame is painted. Work that reads layout (scrollTop, offsetTop)
 * after a render forces the browser to lay out before it can paint; deferring it lets the frame
 * that answers a key press paint first, and the adjustment follows one frame later.
 */
export function afterNextPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}
