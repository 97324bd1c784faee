/**
 * Splits `total` minor units over lines in proportion to their weights, by the largest-remainder
 * method: each line first gets floor(total * weight / sum); the units left over go one each to the
 * lines with the largest remainders (ties to the earlier line). The parts always sum exactly to
 * `total`, and no line gets more than its weight when total <= sum. Products past 2^53 are done in BigInt.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[] {
  const parts = new Array<number>(weights.length).fill(0);
  allocateInto(total, weights, weights.length, parts, new Float64Array(weights.length));
  return parts;
}

/**
 * allocateProportionally writing into `parts` (the first `count` weights; `remainders` is scratch of at
 * least `count`), so that a search can spread savings millions of times without allocating.
 */
export function allocateInto(total: number, weights: ArrayLike<number>, count: number, parts: { [line: number]: number }, remainders: Float64Array): void {
  let sum = 0;
  let heaviest = 0;
  for (let i = 0; i < count; i++) {
    const weight = weights[i]!;
    parts[i] = 0;
    sum += weight;
    if (weight > heaviest) heaviest = weight;
  }
  if (total === 0 || sum === 0) return;
  if (total > sum) throw new RangeError('cannot allocate more than the weights hold');
  if (total * heaviest + 2 * sum > Number.MAX_SAFE_INTEGER) {
    allocateBig(total, weights, count, sum, parts);
    return;
  }
  // floor(total * weight / sum) and its remainder in doubles: exact while total * weight (+ 2 sum, for
  // the corrections) stays a safe integer.
  let left = total;
  for (let i = 0; i < count; i++) {
    const product = total * weights[i]!;
    let floor = Math.floor(product / sum);
    // The division is rounded; the products below are exact, so they correct it.
    if (floor * sum > product) floor -= 1;
    else if ((floor + 1) * sum <= product) floor += 1;
    parts[i] = floor;
    remainders[i] = product - floor * sum;
    left -= floor;
  }
  // The units left (fewer than the lines) go to the largest remainders, ties to the earlier line.
  for (; left > 0; left--) {
    let pick = -1;
    for (let i = 0; i < count; i++) if (remainders[i]! >= 0 && (pick < 0 || remainders[i]! > remainders[pick]!)) pick = i;
    parts[pick]! += 1;
    remainders[pick] = -1;
  }
}

/** The same with BigInt, for carts whose products pass 2^53. */
function allocateBig(total: number, weights: ArrayLike<number>, count: number, sum: number, parts: { [line: number]: number }): void {
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const quotas = Array.from({ length: count }, (_, i) => {
    const product = bigTotal * BigInt(weights[i]!);
    return { floor: Number(product / bigSum), remainder: product % bigSum };
  });
  let left = total - quotas.reduce((a, p) => a + p.floor, 0);
  quotas.forEach((p, i) => (parts[i] = p.floor));
  const order = quotas.map((p, index) => ({ index, remainder: p.remainder })).sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left === 0) break;
    parts[index]! += 1;
    left--;
  }
}

/** floor(amount * basisPoints / 10,000), exact for any safe integer amount. */
export function percentOf(amount: number, basisPoints: number): number {
  const product = amount * basisPoints;
  // Exact in doubles while the product is a safe integer: % is exact, and so is dividing a multiple of 10,000.
  if (product <= Number.MAX_SAFE_INTEGER) return (product - (product % 10_000)) / 10_000;
  return Number((BigInt(amount) * BigInt(basisPoints)) / 10_000n);
}
