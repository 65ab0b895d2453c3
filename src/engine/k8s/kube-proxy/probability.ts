/**
 * The `-m statistic --probability` strings of the endpoint ladder: 1/k printed as Go's
 * `%0.10f` does. Go rounds the exact binary value half-to-even; JS `toFixed` rounds exact
 * ties up, which differs at k = 2048 (kube-proxy-iptables.md §5). So this formats from the
 * double's exact value with BigInt arithmetic instead of trusting toFixed.
 */

const SCALE = 10n ** 10n;

/**
 * A non-negative finite number with exactly ten decimals, rounded half-to-even on its exact
 * binary value, as Go's fmt `%0.10f`.
 * Preconditions: `x` is finite and ≥ 0.
 */
export function formatFixed10(x: number): string {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`formatFixed10: ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biasedExp === 0) {
    exp = -1074; // subnormal
  } else {
    mantissa |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  // x = mantissa · 2^exp exactly; scaled = x · 10^10, rounded half-to-even.
  let scaled: bigint;
  if (exp >= 0) {
    scaled = (mantissa << BigInt(exp)) * SCALE;
  } else {
    const num = mantissa * SCALE;
    const den = 1n << BigInt(-exp);
    scaled = num / den;
    const twiceRem = (num % den) * 2n;
    if (twiceRem > den || (twiceRem === den && scaled % 2n === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(11, '0');
  return `${digits.slice(0, -10)}.${digits.slice(-10)}`;
}

const ladder = new Map<number, string>();

/** The probability string kube-proxy writes for the rule that picks 1 of `k` endpoints (memoised: a sync asks for the same few k over and over). */
export function ladderProbability(k: number): string {
  let p = ladder.get(k);
  if (p === undefined) ladder.set(k, (p = formatFixed10(1 / k)));
  return p;
}
