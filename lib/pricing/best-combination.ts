import { allocateInto } from './allocation';
import { savingOnBase, savingOnLines } from './application';
import { searchBounds } from './search-bounds';
import { type SearchEntry, walletShape } from './search-shape';

/**
 * The best combination of coupons: an exact branch and bound.
 *
 * The candidates come sorted in application order, so a combination is a subset applied in list order
 * and the search can walk subsets in that order, applying each coupon to what the earlier ones left.
 * Every node is a combination; its children add one later coupon. Best means: the largest saving, then
 * the fewest coupons, then the combination whose first coupon not shared with the other comes earlier
 * in application order; the depth-first walk meets combinations in that last order, so the first one
 * found keeps a tie.
 *
 * A subtree is cut only when no combination in it can beat the best found, by an upper bound on what
 * the coupons still to come can add to the current lines (lib/pricing/search-bounds.ts, each bound
 * proven there), or when it holds only mirrors of combinations met elsewhere (coupons that act
 * identically). The work is bounded by a node budget; if it runs out the answer says the result is not
 * proven optimal.
 */

export type { SearchEntry } from './search-shape';

export interface SearchResult {
  /** Indices into the entries, in application order. */
  readonly chosen: readonly number[];
  /** False only when the node budget ran out before the search could prove the answer best. */
  readonly optimal: boolean;
  /** Nodes visited (for benchmarks and tests). */
  readonly nodes: number;
}

export interface SearchOptions {
  readonly kind: 'purchase' | 'payout';
  readonly maxCoupons: number;
  /** Nodes the search may visit; generous, since the bounds keep real wallets far below it. */
  readonly nodeBudget?: number;
}

export const DEFAULT_NODE_BUDGET = 200_000;

export function searchBestCombination(entries: readonly SearchEntry[], amounts: readonly number[], options: SearchOptions): SearchResult {
  const shape = walletShape(entries, amounts.length);
  const { n, lineCount, groupCount, groupOf, keyOf, membersOfKey, sharedGroup, setOf } = shape;
  const purchase = options.kind === 'purchase';
  const budget = options.nodeBudget ?? DEFAULT_NODE_BUDGET;
  const maxRoom = Math.max(1, options.maxCoupons);
  const remaining = Float64Array.from(amounts);

  const chosen: number[] = [];
  const usedGroup = new Uint8Array(groupCount);
  let best = { saving: 0, chosen: [] as number[] };
  let nodes = 0;
  let exhausted = false;

  /** May join the current combination: stacking allows it (the bounds count these). */
  const available = (j: number): boolean => (groupOf[j]! < 0 ? chosen.length === 0 : !usedGroup[groupOf[j]!]);

  /**
   * A coupon is a mirror when an earlier coupon of the same key sits unused in a free private group: any
   * combination with it has a twin with that earlier coupon instead (or instead of a later one of the key
   * in that group), with the same saving and earlier in order, so it can never be the best. (Whether a
   * coupon is a mirror changes with the combination, so the bounds still count mirrors.)
   */
  const mirrored = (j: number): boolean => {
    for (const earlier of membersOfKey[keyOf[j]!]!) {
      if (earlier >= j) return false;
      const group = groupOf[earlier]!;
      if (group >= 0 && !sharedGroup[group] && !usedGroup[group]) return true;
    }
    return false;
  };

  const bounds = searchBounds(entries, amounts, shape, { remaining, purchase, maxRoom, available });
  const { gather, boundFor, baseOf, candidates, gainOf } = bounds;

  /** The saving of the given entries (in application order) on the original lines. */
  function savingOf(indices: readonly number[]): number {
    const lines = Float64Array.from(amounts);
    let total = 0;
    for (const index of indices) {
      const entry = entries[index]!;
      const applied = savingOnLines(entry.effect, entry.eligibleLines, purchase ? lines : amounts);
      if (purchase) for (const { line, amount } of applied.allocations) lines[line]! -= amount;
      total += applied.saving;
    }
    return total;
  }

  /**
   * A saving some combination reaches, found cheaply: coupons picked one at a time by what they would
   * take from what the earlier picks left, then priced exactly in application order. Nothing below it
   * can be best.
   */
  function reachableSaving(): number {
    const lines = Float64Array.from(amounts);
    const picked: number[] = [];
    const groups = new Set<number>();
    let bestExclusive = 0;
    for (let j = 0; j < n; j++) if (groupOf[j]! < 0) bestExclusive = Math.max(bestExclusive, savingOnBase(entries[j]!.effect, baseOf(setOf[j]!)));
    while (picked.length < options.maxCoupons) {
      let bestGain = 0;
      let bestIndex = -1;
      for (let j = 0; j < n; j++) {
        const group = groupOf[j]!;
        if (group < 0 || groups.has(group)) continue;
        let base = 0;
        for (const line of entries[j]!.eligibleLines) base += purchase ? lines[line]! : amounts[line]!;
        const gain = savingOnBase(entries[j]!.effect, base);
        if (gain > bestGain) [bestGain, bestIndex] = [gain, j];
      }
      if (bestIndex < 0) break;
      const entry = entries[bestIndex]!;
      if (purchase) for (const { line, amount } of savingOnLines(entry.effect, entry.eligibleLines, lines).allocations) lines[line]! -= amount;
      picked.push(bestIndex);
      groups.add(groupOf[bestIndex]!);
    }
    return Math.max(savingOf(picked.sort((x, y) => x - y)), bestExclusive);
  }

  /** Whether the current combination (indices ascending) beats the best so far: more saving, then fewer coupons, then earlier in order. */
  function beatsBest(saving: number): boolean {
    if (saving !== best.saving) return saving > best.saving;
    if (chosen.length !== best.chosen.length) return chosen.length < best.chosen.length;
    for (let i = 0; i < chosen.length; i++) if (chosen[i] !== best.chosen[i]) return chosen[i]! < best.chosen[i]!;
    return false;
  }

  function consider(saving: number) {
    if (beatsBest(saving)) best = { saving, chosen: [...chosen] };
  }

  // Per depth of the search: the children and their gains, the lines' amounts and the parts taken,
  // reused (no allocation per node).
  const childrenAt = Array.from({ length: maxRoom + 1 }, () => new Int32Array(n));
  const childGainsAt = Array.from({ length: maxRoom + 1 }, () => new Float64Array(n));
  const weightsAt = Array.from({ length: maxRoom + 1 }, () => new Float64Array(lineCount));
  const partsAt = Array.from({ length: maxRoom + 1 }, () => new Float64Array(lineCount));
  const remainderScratch = new Float64Array(lineCount);

  /** Takes `saving` from the current lines, spread as the engine spreads it (allocateProportionally); the parts stay in partsAt[depth] to be given back. */
  function takeFromLines(lines: readonly number[], saving: number, depth: number): Float64Array {
    const weights = weightsAt[depth]!;
    const parts = partsAt[depth]!;
    for (let i = 0; i < lines.length; i++) weights[i] = remaining[lines[i]!]!;
    allocateInto(saving, weights, lines.length, parts, remainderScratch);
    for (let i = 0; i < lines.length; i++) remaining[lines[i]!]! -= parts[i]!;
    return parts;
  }

  /** Gives back what takeFromLines took. */
  function giveBack(lines: readonly number[], parts: Float64Array) {
    for (let i = 0; i < lines.length; i++) remaining[lines[i]!]! += parts[i]!;
  }

  /** Room for one more coupon: each candidate's saving on the current lines is all there is to know. */
  function lastCoupon(from: number, saving: number) {
    for (let j = from; j < n; j++) {
      if (!available(j) || (groupOf[j]! >= 0 && mirrored(j))) continue;
      const total = saving + savingOnBase(entries[j]!.effect, baseOf(setOf[j]!));
      if (total < best.saving) continue;
      chosen.push(j);
      consider(total);
      chosen.pop();
    }
  }

  /**
   * Visits the combinations that extend `chosen` with coupons from `from` on. Children are tried in
   * order of what they would save on the current lines, the largest first, so that a good combination
   * is found early and the bounds cut more; each child's subtree holds only coupons after it in
   * application order, so every combination is met once.
   */
  function visit(from: number, saving: number) {
    if (++nodes > budget) {
      exhausted = true;
      return;
    }
    const room = options.maxCoupons - chosen.length;
    if (room <= 0 || from >= n) return;
    if (room === 1) {
      lastCoupon(from, saving);
      return;
    }
    gather(from, room);
    const bar = Math.max(best.saving, target);
    // Only whether the bound falls below the bar (or meets the best's saving) matters here.
    const bound = boundFor(room, bar - saving + 1);
    // A child adds at least one coupon: with an equal saving it needs fewer coupons than the best to win.
    if (saving + bound < bar || (saving + bound === best.saving && chosen.length + 1 > best.chosen.length)) return;
    // What the coupons after a child can add at most (room - 1 of them, on lines no fuller than now):
    // a child whose own saving cannot lift the total to the bar ends the loop (the rest save less).
    const smallestGain = candidates.reduce((least, j) => Math.min(least, gainOf[j]!), Number.POSITIVE_INFINITY);
    const restBound = room > 1 ? boundFor(room - 1, bar - saving - smallestGain + 1) : 0;
    // Only children that can reach the bar now are sorted (the bar only rises while they are tried).
    const needed = bar - saving - restBound;
    // In reused per-depth buffers, sorted by gain (largest first, then application order) by insertion.
    const depth = chosen.length;
    const children = childrenAt[depth]!;
    const gains = childGainsAt[depth]!;
    let childCount = 0;
    for (const j of candidates) {
      const gain = gainOf[j]!;
      if (gain < needed || (groupOf[j]! >= 0 && mirrored(j))) continue;
      let at = childCount++;
      while (at > 0 && gains[at - 1]! < gain) {
        gains[at] = gains[at - 1]!;
        children[at] = children[at - 1]!;
        at--;
      }
      gains[at] = gain;
      children[at] = j;
    }
    for (let i = 0; i < childCount; i++) {
      const j = children[i]!;
      const gain = gains[i]!;
      if (exhausted || saving + gain + restBound < Math.max(best.saving, target)) break;
      const entry = entries[j]!;
      const group = groupOf[j]!;
      chosen.push(j);
      if (room === 1 || group < 0) {
        // A last coupon (or an exclusive one, which stands alone): its saving is all there is to know.
        consider(saving + gain);
      } else {
        const taken = purchase ? takeFromLines(entry.eligibleLines, gain, chosen.length) : undefined;
        usedGroup[group] = 1;
        consider(saving + gain);
        visit(j + 1, saving + gain);
        usedGroup[group] = 0;
        if (taken) giveBack(entry.eligibleLines, taken);
      }
      chosen.pop();
    }
  }

  // The reachable saving only raises the bar (strictly below it nothing can be best); the search itself
  // still finds the combination that reaches it, or a better one, so ties are settled by the rule.
  const target = reachableSaving();
  visit(0, 0);
  return { chosen: best.chosen, optimal: !exhausted, nodes: Math.min(nodes, budget) };
}
