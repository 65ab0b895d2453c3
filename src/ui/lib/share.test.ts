import { describe, expect, it } from 'vitest';
import { MAX_SHARE_CHARS, MAX_SHARE_TEXT_BYTES, decodeShareHash, encodeShareHash, fromBase64Url, toBase64Url } from './share.ts';

describe('share links', () => {
  it('round-trips the text and the selected event through #s=…&at=N', async () => {
    const text = 'apiVersion: kubewire.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: ünïcode ✓ <img src=x>\n'.repeat(20);
    const hash = await encodeShareHash(text, 41);
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+&at=41$/);
    expect(hash.length).toBeLessThan(text.length);
    expect(await decodeShareHash(hash)).toEqual({ text, at: 41 });
  });

  it('omits at when no event is selected', async () => {
    const hash = await encodeShareHash('a: 1\n', null);
    expect(hash).not.toContain('at=');
    expect(await decodeShareHash(hash)).toEqual({ text: 'a: 1\n', at: null });
  });

  it('uses base64url without padding', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00]);
    expect(toBase64Url(bytes)).toBe('-__-AA');
    expect(fromBase64Url('-__-AA')).toEqual(bytes);
    expect(fromBase64Url('not base64!')).toBeNull();
  });

  it('returns null without #s= and explains a damaged link', async () => {
    expect(await decodeShareHash('')).toBeNull();
    expect(await decodeShareHash('#at=3')).toBeNull();
    await expect(decodeShareHash('#s=@@@')).rejects.toThrow(/damaged/);
    await expect(decodeShareHash('#s=AAAA')).rejects.toThrow(/damaged/);
  });

  it('refuses links that are too long or inflate past the size limit (a deflate bomb)', async () => {
    await expect(decodeShareHash(`#s=${'A'.repeat(MAX_SHARE_CHARS + 1)}`)).rejects.toThrow(/too long/);
    const bomb = await encodeShareHash(' '.repeat(MAX_SHARE_TEXT_BYTES + 1), null);
    expect(bomb.length).toBeLessThan(MAX_SHARE_CHARS); // tiny link…
    await expect(decodeShareHash(bomb)).rejects.toThrow(/too large/); // …refused when it inflates
  });
});
