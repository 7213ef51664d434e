/** Order statistics for the benchmarks: nearest-rank quantiles of a sample. */
const nearestRank = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

export function quantile(values: readonly number[], q: number): number {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    q,
  );
}

/** The figures docs/perf.md reports for a sample: median and spread. */
export function summary(values: readonly number[]) {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: nearestRank(s, 0.5),
    p10: nearestRank(s, 0.1),
    p90: nearestRank(s, 0.9),
    p99: nearestRank(s, 0.99),
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
  };
}
