import type { Effect } from '../templates/template-schema';

/**
 * What the best-combination search knows about a wallet on a cart before it starts: coupons, groups,
 * action keys and line sets as small integers, and the lines' clean blocks. Built once per quote.
 */

export interface SearchEntry {
  readonly effect: Effect;
  readonly eligibleLines: readonly number[];
  /** The stacking group; `undefined` for an exclusive coupon, which stands alone. */
  readonly group: string | undefined;
  /** Entries with the same key act identically (same effect, cap, lines and level). */
  readonly actionKey: string;
  /** Line-scoped coupons act before every order-wide one. */
  readonly lineScoped: boolean;
}

export type WalletShape = ReturnType<typeof walletShape>;

export function walletShape(entries: readonly SearchEntry[], lineCount: number) {
  const n = entries.length;
  // Groups and action keys as small integers; -1 for an exclusive coupon's group.
  const groupIds = new Map<string, number>();
  const groupOf = Int32Array.from(entries, (entry) => {
    if (entry.group === undefined) return -1;
    if (!groupIds.has(entry.group)) groupIds.set(entry.group, groupIds.size);
    return groupIds.get(entry.group)!;
  });
  const keyIds = new Map<string, number>();
  const keyOf = Int32Array.from(entries, (entry) => {
    if (!keyIds.has(entry.actionKey)) keyIds.set(entry.actionKey, keyIds.size);
    return keyIds.get(entry.actionKey)!;
  });
  const membersOfKey: number[][] = Array.from({ length: keyIds.size }, () => []);
  for (let j = 0; j < n; j++) membersOfKey[keyOf[j]!]!.push(j);
  // A group is private to an action key when only coupons of that key are in it: then swapping one of
  // them for another of the same key never collides with a coupon of another kind.
  const keyOfGroup = new Int32Array(groupIds.size).fill(-1);
  const sharedGroup = new Uint8Array(groupIds.size);
  for (let j = 0; j < n; j++) {
    const group = groupOf[j]!;
    if (group < 0) continue;
    if (keyOfGroup[group] === -1) keyOfGroup[group] = keyOf[j]!;
    else if (keyOfGroup[group] !== keyOf[j]) sharedGroup[group] = 1;
  }
  const isPercent = Uint8Array.from(entries, (entry) => Number(entry.effect.type === 'percent_off'));
  const percentFactor = Float64Array.from(entries, (entry) => (entry.effect.type === 'percent_off' ? 1 - entry.effect.percentOffBps / 10_000 : 1));

  // Coupons share few distinct line sets (scopes); the bounds work per set rather than per coupon.
  const setIds = new Map<string, number>();
  const setOf = Int32Array.from(entries, (entry) => {
    const key = entry.eligibleLines.join(',');
    if (!setIds.has(key)) setIds.set(key, setIds.size);
    return setIds.get(key)!;
  });
  const setCount = setIds.size;
  const setLines: number[][] = Array.from({ length: setCount }, () => []);
  entries.forEach((entry, j) => (setLines[setOf[j]!] = [...entry.eligibleLines]));
  const setsOfLine: number[][] = Array.from({ length: lineCount }, () => []);
  setLines.forEach((lines, set) => lines.forEach((line) => setsOfLine[line]!.push(set)));

  // Lines that only percentages of exactly their own line set touch form a "clean" block: a percentage's
  // rounding can then only move minor units between the block's lines, never out of it, so the block
  // needs no rounding allowance (see the compounding bound).
  const blockOfLine = cleanBlocks(entries, lineCount);
  return { n, lineCount, groupCount: groupIds.size, groupOf, keyOf, membersOfKey, sharedGroup, isPercent, percentFactor, setOf, setCount, setLines, setsOfLine, blockOfLine };
}

/**
 * For each line, the clean block it belongs to, or -1. A block is the set of lines some percentage
 * covers, when every percentage touching any of those lines covers exactly that set.
 */
function cleanBlocks(entries: readonly SearchEntry[], lineCount: number): number[] {
  const percentLines = entries.filter((entry) => entry.effect.type === 'percent_off').map((entry) => entry.eligibleLines.join(','));
  const setsOnLine: Array<Set<string>> = Array.from({ length: lineCount }, () => new Set());
  for (const key of percentLines) for (const line of key.split(',')) setsOnLine[Number(line)]!.add(key);
  const blockIds = new Map<string, number>();
  const only = setsOnLine.map((sets) => (sets.size === 1 ? [...sets][0]! : undefined));
  // A set is a block only if none of its lines is touched by another set too.
  const clean = (key: string) => key.split(',').every((line) => only[Number(line)] === key);
  return only.map((key) => {
    if (key === undefined || !clean(key)) return -1;
    if (!blockIds.has(key)) blockIds.set(key, blockIds.size);
    return blockIds.get(key)!;
  });
}
