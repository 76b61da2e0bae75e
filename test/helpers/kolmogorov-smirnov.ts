/**
 * The two-sample Kolmogorov–Smirnov test: whether two samples may come from one distribution.
 * `statistic` is D, the largest gap between the samples' empirical distribution functions;
 * `pValue` is the chance of a D at least this large if they do, from the asymptotic Kolmogorov
 * distribution with the effective size nm/(n+m) (Stephens' correction, as in Numerical Recipes).
 */
export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): { statistic: number; pValue: number } {
  if (a.length === 0 || b.length === 0) throw new Error('each sample needs at least one value');
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < x.length && j < y.length) {
    // Step past every copy of the smaller value in both samples, so ties never open a false gap.
    const value = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === value) i++;
    while (j < y.length && y[j] === value) j++;
    statistic = Math.max(statistic, Math.abs(i / x.length - j / y.length));
  }
  const effective = Math.sqrt((x.length * y.length) / (x.length + y.length));
  return { statistic, pValue: kolmogorovTail((effective + 0.12 + 0.11 / effective) * statistic) };
}

/** Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²), the Kolmogorov distribution's upper tail; 1 for λ near 0, where the series does not converge. */
function kolmogorovTail(lambda: number): number {
  if (lambda < 0.3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}
