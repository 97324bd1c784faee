/**
 * A Bloom filter of user ids: "maybe in the set" or "certainly not". The campaign's prepare step, which
 * reads the whole audience once anyway, puts into it every user it meets a second time (the "seen" filter
 * answers "met before?"). A chunk's user the repeat filter rules out is in no other chunk of the campaign,
 * so its first delivery may write the coupon without first reading whether the user holds it: the read
 * costs about a sixth of the writes. A false "maybe" only costs that read; there is no false "certainly not".
 *
 * Hand-written rather than the bloom-filters package: that one brings lodash and a pure-JS xxhash, and this
 * needs a plain bit array that splits into DynamoDB items. Two 32-bit FNV-1a hashes with different offsets,
 * combined by double hashing (Kirsch and Mitzenmacher): k probes from two hashes, as good as k hashes.
 */
export class BloomFilter {
  private constructor(
    readonly bits: Uint8Array,
    readonly size: number,
    readonly probes: number,
  ) {}

  /** Sized for `expected` entries at a false-positive rate of `falsePositiveRate` (m = -n ln p / ln²2, k = m/n ln 2). */
  static sized(expected: number, falsePositiveRate: number): BloomFilter {
    const entries = Math.max(1, expected);
    const size = Math.max(64, Math.ceil((-entries * Math.log(falsePositiveRate)) / Math.LN2 ** 2));
    const probes = Math.max(1, Math.round((size / entries) * Math.LN2));
    return new BloomFilter(new Uint8Array(Math.ceil(size / 8)), size, probes);
  }

  static fromBytes(bits: Uint8Array, size: number, probes: number): BloomFilter {
    if (bits.length * 8 < size) throw new Error(`a Bloom filter of ${size} bits needs ${Math.ceil(size / 8)} bytes, got ${bits.length}`);
    return new BloomFilter(bits, size, probes);
  }

  add(value: string): void {
    const [first, second] = hashes(value);
    for (let i = 0; i < this.probes; i++) {
      const bit = (first + i * second) % this.size;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  /** False: certainly never added. True: probably added. */
  has(value: string): boolean {
    const [first, second] = hashes(value);
    for (let i = 0; i < this.probes; i++) {
      const bit = (first + i * second) % this.size;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

function hashes(value: string): [number, number] {
  let first = 0x811c9dc5;
  let second = 0x9747b28c;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
    second ^= second >>> 15;
  }
  // The second hash odd, so that one value's probes do not repeat; both through MurmurHash3's finalizer.
  return [finalize(first), (finalize(second) | 1) >>> 0];
}

function finalize(hash: number): number {
  let h = hash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One pass over an audience: which users may appear more than once in it (every appearance, the first too). */
export class RepeatFinder {
  private readonly seen: BloomFilter;
  readonly repeats: BloomFilter;

  constructor(approximateEntries: number) {
    // 0.1% of first appearances taken for repeats: ~1.8 bytes a user while preparing (180 MB at 100 million).
    this.seen = BloomFilter.sized(approximateEntries, 0.001);
    // Room for real repeats up to 2% of the audience plus the seen filter's false positives; more only raises its false-positive rate.
    this.repeats = BloomFilter.sized(Math.max(1_000, Math.ceil(approximateEntries / 50)), 0.01);
  }

  add(userId: string): void {
    if (this.seen.has(userId)) this.repeats.add(userId);
    else this.seen.add(userId);
  }
}
