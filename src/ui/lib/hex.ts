/** The hex/ASCII pane's layout: 16 bytes a line, as Wireshark and `xxd` show them. */

/** Bytes per hex line. */
export const HEX_WIDTH = 16;

/** One printable ASCII character for a byte ('.' when not printable). */
export function asciiChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Two lowercase hex digits. */
export function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** The offset column: four hex digits (more for frames over 64 KiB). */
export function hexOffset(off: number, total: number): string {
  return off.toString(16).padStart(total > 0xffff ? 6 : 4, '0');
}
