/**
 * Which stock shards a claim takes from. Pure, with the random source injected so tests can pin it.
 */
export interface ShardTake {
  readonly shard: number;
  readonly quantity: number;
}

export type Random = () => number;

/** First try: one random shard among those not known to be empty. Undefined when every shard is known empty. */
export function pickRandomShard(shardCount: number, knownEmpty: ReadonlySet<number>, quantity: number, random: Random): ShardTake[] | undefined {
  const candidates = Array.from({ length: shardCount }, (_, shard) => shard).filter((shard) => !knownEmpty.has(shard));
  if (candidates.length === 0) return undefined;
  return [{ shard: candidates[Math.floor(random() * candidates.length)]!, quantity }];
}

/**
 * With the shards' actual stock read: one random shard that holds enough, else take from several
 * (largest first, so a claim touches as few shard items as it can). Undefined when the total is short:
 * the template is sold out for this quantity.
 */
export function allocateFromKnownStock(shards: ReadonlyArray<{ shard: number; available: number }>, quantity: number, random: Random): ShardTake[] | undefined {
  const sufficient = shards.filter((s) => s.available >= quantity);
  if (sufficient.length > 0) return [{ shard: sufficient[Math.floor(random() * sufficient.length)]!.shard, quantity }];
  const takes: ShardTake[] = [];
  let missing = quantity;
  for (const s of [...shards].filter((s) => s.available > 0).sort((a, b) => b.available - a.available)) {
    const take = Math.min(s.available, missing);
    takes.push({ shard: s.shard, quantity: take });
    missing -= take;
    if (missing === 0) return takes;
  }
  return undefined;
}
