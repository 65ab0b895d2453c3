/** Small inline SVG icons (no font dependency: Debian's fonts lack the media-control glyphs). */
import { svg } from 'lit';

const icon = (body: ReturnType<typeof svg>) =>
  svg`<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="currentColor">${body}</svg>`;

export const iconRun = icon(svg`<path d="M4 2.5v11l9-5.5z"/>`);
export const iconStop = icon(svg`<rect x="3.5" y="3.5" width="9" height="9" rx="1"/>`);
export const iconPlay = icon(svg`<path d="M4 2.5v11l9-5.5z"/>`);
export const iconPause = icon(svg`<rect x="3.5" y="2.5" width="3" height="11"/><rect x="9.5" y="2.5" width="3" height="11"/>`);
export const iconStepFwd = icon(svg`<path d="M3 3v10l7-5z"/><rect x="11" y="3" width="2" height="10"/>`);
export const iconStepBack = icon(svg`<path d="M13 3v10L6 8z"/><rect x="3" y="3" width="2" height="10"/>`);
export const iconStart = icon(svg`<rect x="2.5" y="3" width="2" height="10"/><path d="M14 3v10L9 8z"/><path d="M9.5 3v10L4.5 8z"/>`);
export const iconEnd = icon(svg`<rect x="11.5" y="3" width="2" height="10"/><path d="M2 3v10l5-5z"/><path d="M6.5 3v10l5-5z"/>`);
