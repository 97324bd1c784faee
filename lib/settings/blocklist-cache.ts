import type { Clock } from '../time';
import type { BlocklistRepository } from './blocklist-repository';

/** The global block list as a set, read at most once per TTL per Lambda environment (it changes rarely). */
export function cachedBlocklist(repository: Pick<BlocklistRepository, 'get'>, ttlMs: number, clock: Clock): () => Promise<ReadonlySet<string>> {
  let loaded: { at: number; value: Promise<ReadonlySet<string>> } | undefined;
  return () => {
    if (!loaded || clock() - loaded.at >= ttlMs) {
      const value = repository.get().then((blocklist) => new Set(blocklist.productIds));
      loaded = { at: clock(), value };
      value.catch(() => (loaded = undefined));
    }
    return loaded.value;
  };
}
