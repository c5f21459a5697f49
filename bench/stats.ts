export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of ratios taken pair by pair, and their range: how stable the comparison was. */
export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  /** One ratio per pair (per round, per cold-start pair), in order. */
  each: number[];
}

export function summariseRatios(ratios: readonly number[]): RatioSummary | undefined {
  const finite = ratios.filter((r) => Number.isFinite(r));
  const mid = median(finite);
  if (mid === undefined) return undefined;
  return { median: mid, min: Math.min(...finite), max: Math.max(...finite), each: finite };
}

/**
 * `value / reference` for each key both maps have (a round number, a pair index): ratios are only
 * ever taken between figures measured side by side, so machine drift between rounds cancels out.
 */
export function pairedRatios(
  values: ReadonlyMap<number, number>,
  references: ReadonlyMap<number, number>,
): RatioSummary | undefined {
  const ratios: number[] = [];
  for (const [key, value] of values) {
    const reference = references.get(key);
    if (reference !== undefined && reference > 0) ratios.push(value / reference);
  }
  return summariseRatios(ratios);
}
