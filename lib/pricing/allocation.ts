/**
 * Splits `total` minor units over lines in proportion to their weights, by the largest-remainder
 * method: each line first gets floor(total * weight / sum); the units left over go one each to the
 * lines with the largest remainders (ties to the earlier line). The parts always sum exactly to
 * `total`, and no line gets more than its weight when total <= sum. Products past 2^53 are done in BigInt.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  let heaviest = 0;
  for (const weight of weights) {
    sum += weight;
    if (weight > heaviest) heaviest = weight;
  }
  if (total === 0 || sum === 0) return weights.map(() => 0);
  if (total > sum) throw new RangeError('cannot allocate more than the weights hold');
  const parts = total * heaviest + 2 * sum <= Number.MAX_SAFE_INTEGER ? quotasExact(total, weights, sum) : quotasBig(total, weights, sum);
  let left = total;
  for (const part of parts) left -= part.floor;
  const result = parts.map((p) => p.floor);
  if (left > 0) {
    const order = parts.map((p, index) => ({ index, remainder: p.remainder })).sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
    for (const { index } of order) {
      if (left === 0) break;
      result[index]! += 1;
      left--;
    }
  }
  return result;
}

/** floor(total * weight / sum) and its remainder in doubles: exact while total * weight (+ 2 sum, for the corrections) stays a safe integer. */
function quotasExact(total: number, weights: readonly number[], sum: number): Array<{ floor: number; remainder: number | bigint }> {
  return weights.map((weight) => {
    const product = total * weight;
    let floor = Math.floor(product / sum);
    // The division is rounded; the products below are exact, so they correct it.
    if (floor * sum > product) floor -= 1;
    else if ((floor + 1) * sum <= product) floor += 1;
    return { floor, remainder: product - floor * sum };
  });
}

/** The same with BigInt, for carts whose products pass 2^53. */
function quotasBig(total: number, weights: readonly number[], sum: number): Array<{ floor: number; remainder: number | bigint }> {
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  return weights.map((weight) => {
    const product = bigTotal * BigInt(weight);
    return { floor: Number(product / bigSum), remainder: product % bigSum };
  });
}

/** floor(amount * basisPoints / 10,000), exact for any safe integer amount. */
export function percentOf(amount: number, basisPoints: number): number {
  const product = amount * basisPoints;
  // Exact in doubles while the product is a safe integer: % is exact, and so is dividing a multiple of 10,000.
  if (product <= Number.MAX_SAFE_INTEGER) return (product - (product % 10_000)) / 10_000;
  return Number((BigInt(amount) * BigInt(basisPoints)) / 10_000n);
}
