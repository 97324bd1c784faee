import { savingOnBase } from './application';
import type { SearchEntry, WalletShape } from './search-shape';

/**
 * Upper bounds for the best-combination search (lib/pricing/best-combination.ts): at a node, `gather`
 * reads the coupons still to come against the current lines, and `boundFor` says how much `room` of
 * them can add at most. Every bound is proven in its comment; all share reused buffers, so a node
 * allocates nothing.
 */

export interface BoundsState {
  /** What is left of each line (the search changes it as it applies coupons). */
  readonly remaining: Float64Array;
  readonly purchase: boolean;
  /** The most coupons a combination may have. */
  readonly maxRoom: number;
  /** Whether coupon j may join the current combination (stacking rules). */
  readonly available: (j: number) => boolean;
}

export type SearchBounds = ReturnType<typeof searchBounds>;

export function searchBounds(entries: readonly SearchEntry[], amounts: readonly number[], shape: WalletShape, state: BoundsState) {
  const { n, lineCount, groupCount, groupOf, isPercent, percentFactor, setOf, setCount, setLines, setsOfLine, blockOfLine } = shape;
  const { remaining, purchase, maxRoom, available } = state;
  const current: ArrayLike<number> = purchase ? remaining : amounts;

  const baseOf = (set: number): number => {
    let base = 0;
    for (const line of setLines[set]!) base += current[line]!;
    return base;
  };

  // What `gather` learns about the coupons from a position on, for the bounds and the children.
  const lineScoped = Uint8Array.from(entries, (entry) => Number(entry.lineScoped));
  const gainOf = new Float64Array(n);
  const candidates: number[] = [];
  const groupBest = new Float64Array(groupCount);
  const groupSeen = new Uint8Array(groupCount);
  const touchedGroups: number[] = [];
  const exclusiveGains: number[] = [];
  const amountCoupons: number[] = [];
  const setSeen = new Uint8Array(setCount);
  const setBase = new Float64Array(setCount);
  /** Per set, its own coupons only: the `room` largest amount savings and smallest percentage factors (the setwise bound). */
  const setOwnAmounts = new Float64Array(setCount * maxRoom);
  const setOwnAmountCount = new Uint8Array(setCount);
  const setOwnFactors = new Float64Array(setCount * maxRoom);
  const setOwnFactorCount = new Uint8Array(setCount);
  /** All order-wide percentages' factors, ascending (whatever their lines), and the sets they cover. */
  const orderWideFactors: number[] = [];
  const orderWideSet = new Uint8Array(setCount);
  const inOrderWide = new Uint8Array(lineCount);
  /** Per set, the `room` smallest factors of its line-scoped percentages only (the layered bound; and the per-line bound when the order-wide ones share one set). */
  const setLineFactors = new Float64Array(setCount * maxRoom);
  const setLineFactorCount = new Uint8Array(setCount);
  const setwiseBest = new Float64Array(maxRoom + 1);
  const setwiseNext = new Float64Array(maxRoom + 1);
  const setValue = new Float64Array(maxRoom + 1);
  const lineCovered = new Uint8Array(lineCount);
  const lineRounding = new Uint16Array(lineCount);
  /** Per line, the product of its q smallest merged factors, q = 0..maxRoom. */
  const lineProduct = new Float64Array(lineCount * (maxRoom + 1));
  const lineFactors = new Float64Array(maxRoom);
  /** The one line set all order-wide percentages cover, or -1 (then the per-line bound merges them with the rest). */
  let orderSet = -1;
  const inOrderSet = new Uint8Array(lineCount);
  let coverage = 0;

  /** Reads the available coupons from `from` on against the current lines, for bounds of up to `room` coupons. */
  function gather(from: number, room: number) {
    maxRoomGathered = room;
    candidates.length = 0;
    touchedGroups.length = 0;
    exclusiveGains.length = 0;
    amountCoupons.length = 0;
    orderWideFactors.length = 0;
    orderWideSet.fill(0);
    setSeen.fill(0);
    setOwnAmountCount.fill(0);
    setOwnFactorCount.fill(0);
    setLineFactorCount.fill(0);
    // Order-wide percentages that all cover one set of lines compound by one number on those lines;
    // the compounding bound then treats them apart (see boundFor).
    orderSet = -1;
    let uniform = true;
    for (let j = from; j < n; j++) {
      if (!available(j) || !isPercent[j] || lineScoped[j]) continue;
      if (orderSet === -1) orderSet = setOf[j]!;
      else if (orderSet !== setOf[j]) uniform = false;
    }
    if (!uniform) orderSet = -1;
    for (let j = from; j < n; j++) {
      if (!available(j)) continue;
      const set = setOf[j]!;
      if (!setSeen[set]) {
        setSeen[set] = 1;
        setBase[set] = baseOf(set);
      }
      const gain = savingOnBase(entries[j]!.effect, setBase[set]!);
      gainOf[j] = gain;
      candidates.push(j);
      const group = groupOf[j]!;
      if (group < 0) exclusiveGains.push(gain);
      else if (!groupSeen[group]) {
        groupSeen[group] = 1;
        groupBest[group] = gain;
        touchedGroups.push(group);
      } else if (gain > groupBest[group]!) groupBest[group] = gain;
      if (!purchase) continue;
      if (isPercent[j]) {
        insertSmallest(setOwnFactors, set * maxRoom, setOwnFactorCount, set, percentFactor[j]!, room);
        if (lineScoped[j]) insertSmallest(setLineFactors, set * maxRoom, setLineFactorCount, set, percentFactor[j]!, room);
        else {
          orderWideFactors.push(percentFactor[j]!);
          orderWideSet[set] = 1;
        }
      } else {
        setOwnAmountCount[set] = insertLargest(setOwnAmounts, setOwnAmountCount[set]!, gain, room, set * maxRoom);
        amountCoupons.push(j);
      }
    }
    for (const group of touchedGroups) groupSeen[group] = 0;
    if (!purchase) return;
    orderWideFactors.sort((x, y) => x - y);
    inOrderSet.fill(0);
    if (orderSet >= 0) for (const line of setLines[orderSet]!) inOrderSet[line] = 1;
    if (orderSet !== setInOrderFor) {
      for (let set = 0; set < setCount; set++) setInOrder[set] = orderSet >= 0 && setLines[set]!.every((line) => inOrderSet[line]) ? 2 : 1;
      setInOrderFor = orderSet;
    }
    linesFor = -1;
  }

  /** The per-line half of `gather`, done only when a node needs the coverage and compounding bounds. */
  let linesFor = -1;
  let maxRoomGathered = 0;
  function gatherLines(room: number) {
    if (linesFor === room) return;
    linesFor = room;
    // The factors merged per line: all percentages, or only the line-scoped ones when the order-wide
    // ones share one set (they then enter the bound as one product on that set).
    const merged = orderSet >= 0 ? setLineFactors : setOwnFactors;
    const mergedCount = orderSet >= 0 ? setLineFactorCount : setOwnFactorCount;
    coverage = 0;
    for (let line = 0; line < lineCount; line++) {
      let covered = 0;
      let percents = 0;
      let count = 0;
      for (const set of setsOfLine[line]!) {
        if (!setSeen[set]) continue;
        covered = 1;
        // Counts kept up to `room` per set: the same once capped at `room` below.
        percents += setOwnFactorCount[set]!;
        for (let f = 0; f < mergedCount[set]!; f++) count = insertInto(lineFactors, count, merged[set * maxRoom + f]!, room);
      }
      lineCovered[line] = covered;
      if (!covered) continue;
      coverage += remaining[line]!;
      lineRounding[line] = Math.min(room, percents);
      const offset = line * (maxRoom + 1);
      lineProduct[offset] = 1;
      for (let q = 1; q <= room; q++) lineProduct[offset + q] = lineProduct[offset + q - 1]! * (q <= count ? lineFactors[q - 1]! : 1);
    }
    summarise(room);
  }

  // Sums over the lines that the compounding bound needs for every split, so a split costs O(amounts).
  /** Per q: what lines outside the order-wide set can lose with q percentages (clipped per line, blocks whole). */
  const outsideTaken = new Float64Array(maxRoom + 1);
  /** Per q: sum over the order-wide set of r_l * P_l(q) (its lines lose their total less orderProduct times this). */
  const insideKept = new Float64Array(maxRoom + 1);
  /** Per t: rounding allowance on the order-wide set's lines outside a clean block with t percentages. */
  const insideRounding = new Float64Array(maxRoom + 1);
  let insideTotal = 0;
  /** Per set of a line-scoped amount and q: the largest P_l(q) on its lines inside (…Inside) and outside the order-wide set. */
  const amountSetInside = new Float64Array(setCount * (maxRoom + 1));
  const amountSetOutside = new Float64Array(setCount * (maxRoom + 1));

  function summarise(room: number) {
    outsideTaken.fill(0);
    insideKept.fill(0);
    insideRounding.fill(0);
    insideTotal = 0;
    for (let line = 0; line < lineCount; line++) {
      if (!lineCovered[line]) continue;
      const left = remaining[line]!;
      const offset = line * (maxRoom + 1);
      const clean = blockOfLine[line]! >= 0;
      if (inOrderSet[line]) {
        insideTotal += left;
        for (let q = 0; q <= room; q++) {
          insideKept[q]! += left * lineProduct[offset + q]!;
          if (!clean) insideRounding[q]! += Math.min(q, lineRounding[line]!);
        }
      } else {
        for (let q = 0; q <= room; q++) {
          const loss = left * (1 - lineProduct[offset + q]!);
          outsideTaken[q]! += clean ? loss : Math.min(left, loss + Math.min(q, lineRounding[line]!));
        }
      }
    }
    for (const j of amountCoupons) {
      if (!lineScoped[j]) continue;
      const set = setOf[j]!;
      const base = set * (maxRoom + 1);
      for (let q = 0; q <= room; q++) {
        let inside = 0;
        let outside = 0;
        for (const line of setLines[set]!) {
          const product = lineProduct[line * (maxRoom + 1) + q]!;
          if (inOrderSet[line]) inside = Math.max(inside, product);
          else outside = Math.max(outside, product);
        }
        amountSetInside[base + q] = inside;
        amountSetOutside[base + q] = outside;
      }
    }
  }

  const top = new Float64Array(maxRoom);
  /** Per set: 2 when all its lines are in the order-wide set (an order-wide amount there meets every order-wide percentage), else 1. */
  const setInOrder = new Uint8Array(setCount);
  let setInOrderFor = -2;

  /**
   * What Y with `amountCount` amounts, `percentCount` percentages among the merged factors and
   * `orderPercents` order-wide ones (of product `orderProduct` on the order-wide set) can take at most.
   * On the order-wide set the per-line terms are left unclipped, so that the sum stays convex in
   * `orderProduct` (affine per line, plus the amounts' top sum of convex terms) and its largest value
   * over a range of products is at one end of the range.
   */
  function compoundingFor(amountCount: number, percentCount: number, orderPercents: number, orderProduct: number): number {
    const taken = outsideTaken[percentCount]! + insideTotal - orderProduct * insideKept[percentCount]! + insideRounding[percentCount + orderPercents]!;
    let amountPart = 0;
    if (amountCount > 0) {
      let kept = 0;
      for (const j of amountCoupons) {
        // Line-scoped amounts act before every percentage (weight: the largest product on their lines),
        // order-wide ones before the order-wide percentages (weight: their product, where they meet them).
        const set = setOf[j]!;
        let weight = 1;
        if (lineScoped[j]) {
          const at = set * (maxRoom + 1) + percentCount;
          weight = Math.max(orderProduct * amountSetInside[at]!, amountSetOutside[at]!);
        } else if (orderSet >= 0) weight = setInOrder[set] === 2 ? orderProduct : 1;
        kept = insertLargest(top, kept, gainOf[j]! * weight, amountCount);
      }
      for (let i = 0; i < kept; i++) amountPart += top[i]!;
    }
    // A sum of a few hundred doubles is off by far less than 10^-12 of itself: round up by that, and one.
    return Math.ceil((taken + amountPart) * (1 + 1e-12)) + 1;
  }

  /**
   * An upper bound on what the gathered coupons can add to the current lines, `room` of them at most.
   * Each bound holds for any later subset Y, because every coupon's base only shrinks as coupons apply
   * and its saving never grows as its base shrinks:
   * - additive: each coupon in Y adds at most what it would save on the current lines; at most one per
   *   group, at most `room`;
   * - coverage: Y cannot take more than is left on the lines it covers;
   * - compounding (purchases): on a line l, line-scoped amounts (taking D0) act first, then line-scoped
   *   percentages (product P0), order-wide amounts (D1), order-wide percentages (P1); a percentage
   *   leaves at least (1 - p) x - 1 of x (one minor unit of rounding). So l keeps at least
   *   P0 P1 (r_l - D0) - P1 D1 - m_l (m_l: the percentages on l) and Y takes at most
   *   r_l (1 - P0 P1) + P0 P1 D0 + P1 D1 + m_l. That grows as P0 shrinks: at most with the q0 smallest
   *   factors on l. When the order-wide percentages all cover one set of lines, P1 is one number on
   *   that set and the sum over lines is linear in it: at most its value at the smallest or the largest
   *   product of q1 of their factors. (Otherwise they count among the factors on each line, and
   *   order-wide amounts at full weight.) In a clean block the rounding stays inside the block, so its
   *   total needs no m. The bound is the largest over the ways to split `room` among amounts,
   *   percentages and order-wide percentages.
   */
  function boundFor(room: number, enough = Number.POSITIVE_INFINITY): number {
    let count = 0;
    for (const group of touchedGroups) count = insertLargest(top, count, groupBest[group]!, room);
    for (const gain of exclusiveGains) count = insertLargest(top, count, gain, room);
    let additive = 0;
    for (let i = 0; i < count; i++) additive += top[i]!;
    if (!purchase || room === 1 || additive === 0) return additive;
    additive = Math.min(additive, setwise(room), layered(room));
    // Already below what the caller could use: the other bounds could only make it smaller.
    if (additive < enough - 1) return additive;
    gatherLines(maxRoomGathered);

    // The largest over the splits, but no more is needed once it reaches the other two bounds (the
    // minimum is then theirs) or `enough`, where the caller learns only that the bound is not below it
    // (the answer is then the other two bounds: larger than the exact one, still an upper bound).
    const cap = Math.min(additive, coverage, enough);
    let compounding = 0;
    const orderCount = orderSet >= 0 ? orderWideFactors.length : 0;
    for (let amountCount = 0; amountCount <= Math.min(room, amountCoupons.length); amountCount++) {
      for (let orderPercents = 0; orderPercents <= Math.min(room - amountCount, orderCount); orderPercents++) {
        const percentCount = room - amountCount - orderPercents;
        if (orderPercents === 0) compounding = Math.max(compounding, compoundingFor(amountCount, percentCount, 0, 1));
        else {
          let smallest = 1;
          let largest = 1;
          for (let f = 0; f < orderPercents; f++) {
            smallest *= orderWideFactors[f]!;
            largest *= orderWideFactors[orderCount - 1 - f]!;
          }
          compounding = Math.max(compounding, compoundingFor(amountCount, percentCount, orderPercents, smallest));
          if (largest !== smallest && compounding < cap) compounding = Math.max(compounding, compoundingFor(amountCount, percentCount, orderPercents, largest));
        }
        // Past `enough` the exact value no longer matters; the other two bounds still hold.
        if (compounding >= cap) return Math.min(additive, coverage, compounding >= Math.min(additive, coverage) ? compounding : Number.POSITIVE_INFINITY);
      }
    }
    return Math.min(additive, coverage, compounding);
  }

  /**
   * The setwise bound: coupons on one line set S take from S's total, exactly (a percentage's saving is
   * at most p times S's total at that moment, amounts at most their saving now), and coupons on other sets
   * only shrink that total. So the k coupons Y has on S take at most
   * f_S(k) = min(r_S, top amounts + r_S (1 - product of the smallest factors)) over the ways to split k
   * between amounts and percentages, and Y at most the best sum of f_S(k_S) with sum k_S <= room.
   */
  function setwise(room: number): number {
    knapsack(room, setOwnFactors, setOwnFactorCount);
    // Doubles: round up generously.
    return Math.ceil(setwiseBest[room]! * (1 + 1e-12)) + 1;
  }

  /** setwiseBest[k]: the best sum of f_S(k_S) over sets with sum k_S <= k, f_S from the sets' amounts and the given factors. */
  function knapsack(room: number, factors: Float64Array, factorCounts: Uint8Array) {
    setwiseBest.fill(0);
    for (let set = 0; set < setCount; set++) {
      if (!setSeen[set]) continue;
      const amountsHere = setOwnAmountCount[set]!;
      const factorsHere = factorCounts[set]!;
      if (amountsHere + factorsHere === 0) continue;
      const base = setBase[set]!;
      const offset = set * maxRoom;
      setValue[0] = 0;
      for (let k = 1; k <= room; k++) {
        let value = 0;
        let amountSum = 0;
        for (let a = 0; a <= Math.min(k, amountsHere); a++) {
          if (a > 0) amountSum += setOwnAmounts[offset + a - 1]!;
          let product = 1;
          for (let f = 0; f < Math.min(k - a, factorsHere); f++) product *= factors[offset + f]!;
          value = Math.max(value, Math.min(base, amountSum + base * (1 - product)));
        }
        setValue[k] = value;
      }
      setwiseNext.set(setwiseBest);
      for (let k = 1; k <= room; k++) for (let used = 1; used <= k; used++) setwiseNext[k] = Math.max(setwiseNext[k]!, setwiseBest[k - used]! + setValue[used]!);
      setwiseBest.set(setwiseNext);
    }
  }

  /**
   * The layered bound. Let O be the lines the order-wide percentages cover, and suppose every other
   * coupon's lines lie in O. The others (line-scoped coupons and order-wide amounts) act first and take
   * some X + Z <= r_O, at most the setwise bound g without the order-wide percentages. Each order-wide
   * percentage then takes at most p times its own base, which is part of what is left of O: so O's total
   * keeps at least (1 - p) of itself at each (exactly: floor(p x) <= p x, no rounding allowance). So Y
   * takes at most r_O (1 - P) + P min(r_O, g), which only grows as P shrinks: at most with the k
   * smallest factors, for the best k.
   */
  function layered(room: number): number {
    if (orderWideFactors.length === 0) return Number.POSITIVE_INFINITY;
    inOrderWide.fill(0);
    for (let set = 0; set < setCount; set++) if (orderWideSet[set]) for (const line of setLines[set]!) inOrderWide[line] = 1;
    for (let set = 0; set < setCount; set++) if (setSeen[set] && !setLines[set]!.every((line) => inOrderWide[line])) return Number.POSITIVE_INFINITY;
    knapsack(room, setLineFactors, setLineFactorCount);
    let total = 0;
    for (let line = 0; line < lineCount; line++) if (inOrderWide[line]) total += current[line]!;
    let bound = 0;
    let product = 1;
    for (let k = 0; k <= Math.min(room, orderWideFactors.length); k++) {
      if (k > 0) product *= orderWideFactors[k - 1]!;
      bound = Math.max(bound, total * (1 - product) + product * Math.min(total, setwiseBest[room - k]!));
    }
    return Math.ceil(bound * (1 + 1e-12)) + 1;
  }

  return { gather, boundFor, baseOf, candidates, gainOf };
}

/** Inserts `value` into the ascending list of `count` values stored from `offset`, keeping at most `size`; returns the new count. */
function insertInto(list: Float64Array, count: number, value: number, size: number, offset = 0): number {
  if (count === size && value >= list[offset + count - 1]!) return count;
  let i = count < size ? count : count - 1;
  while (i > 0 && list[offset + i - 1]! > value) {
    list[offset + i] = list[offset + i - 1]!;
    i--;
  }
  list[offset + i] = value;
  return count < size ? count + 1 : count;
}

/** Keeps a set's `size` smallest factors (stored from `offset`, counted in `counts[set]`). */
function insertSmallest(factors: Float64Array, offset: number, counts: Uint8Array, set: number, value: number, size: number) {
  counts[set] = insertInto(factors, counts[set]!, value, size, offset);
}

/** Inserts `value` into the descending list of `count` values stored from `offset`, keeping at most `size`; returns the new count. */
function insertLargest(list: Float64Array, count: number, value: number, size: number, offset = 0): number {
  if (count === size && value <= list[offset + count - 1]!) return count;
  let i = count < size ? count : count - 1;
  while (i > 0 && list[offset + i - 1]! < value) {
    list[offset + i] = list[offset + i - 1]!;
    i--;
  }
  list[offset + i] = value;
  return count < size ? count + 1 : count;
}
