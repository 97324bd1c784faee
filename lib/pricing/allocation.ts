/**
 * Splits `total` minor units over lines in proportion to their weights, by the largest-remainder
 * method: each line first gets floor(total * weight / sum); the units left over go one each to the
 * lines with the largest remainders (ties to the earlier line). The parts always sum exactly to
 * `total`, and no line gets more than its weight when total <= sum. BigInt keeps the products exact.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  if (total > sum) throw new RangeError('cannot allocate more than the weights hold');
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const parts = weights.map((weight) => {
    const product = bigTotal * BigInt(weight);
    return { floor: Number(product / bigSum), remainder: product % bigSum };
  });
  let left = total - parts.reduce((a, p) => a + p.floor, 0);
  const order = parts.map((p, index) => ({ index, remainder: p.remainder })).sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  const result = parts.map((p) => p.floor);
  for (const { index } of order) {
    if (left === 0) break;
    result[index]! += 1;
    left--;
  }
  return result;
}

/** floor(amount * basisPoints / 10,000), exact for any safe integer amount. */
export const percentOf = (amount: number, basisPoints: number): number => Number((BigInt(amount) * BigInt(basisPoints)) / 10_000n);
