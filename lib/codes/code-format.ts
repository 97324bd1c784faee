import { createCipheriv, createHash, createHmac } from 'node:crypto';

/**
 * What a redemption code looks like and how the n-th code of a batch is made. Pure (node:crypto only).
 *
 * A pattern is literal characters, separators (`-`, space) and `#` slots; the last slot is the check
 * character, every other slot is filled from the batch's charset. The n-th code of a code space (one
 * pattern and charset) is a keyed pseudo-random permutation of n, so codes of one space are distinct by
 * construction (no lookups, no collision retries, memory flat) and, without the key, the n-th code
 * tells nothing of any other. Batches of a space take consecutive ranges of n (lib/codes/code-service.ts),
 * so two batches of one space never share a code either.
 */

/** Upper-case letters and digits without the look-alikes 0/O, 1/I/L: 31 characters, a prime count (the check character's modulus). */
export const DEFAULT_CHARSET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_PATTERN = '####-####-####';
export const SLOT = '#';
const SEPARATORS = /[-\s]/g;
/** Codes of a space may take at most one string in this many (guessing a valid code is a one-in-a-million shot at best). */
export const MIN_STRINGS_PER_CODE = 1_000_000;
export const MAX_PATTERN_LENGTH = 40;

/**
 * The check character: a weighted sum mod 31 over the code's characters before it, drawn from the
 * default charset whatever the batch's charset, so that a redemption checks it without knowing the
 * batch. Characters are valued by their place in the default charset, then 0, 1, I, L, O: a mistyped
 * character between two charset characters is always caught, so is a swap of two neighbours.
 */
const VALUE_ORDER = `${DEFAULT_CHARSET}01ILO`;
const CHECK_MODULUS = DEFAULT_CHARSET.length;

export function checkCharacterOf(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += VALUE_ORDER.indexOf(body[i]!) * ((i % (CHECK_MODULUS - 1)) + 1);
  return DEFAULT_CHARSET[sum % CHECK_MODULUS]!;
}

/** A code as typed, in the form it is hashed in: upper case, no separators or spaces. */
export const normalizeCode = (typed: string): string => typed.toUpperCase().replace(SEPARATORS, '');

/** Whether a normalized code could be a code at all: letters and digits, its last character the check of the others. No I/O. */
export function hasValidCheck(normalized: string): boolean {
  if (normalized.length < 2 || normalized.length > MAX_PATTERN_LENGTH || !/^[A-Z0-9]+$/.test(normalized)) return false;
  return checkCharacterOf(normalized.slice(0, -1)) === normalized.at(-1);
}

export interface CodeShape {
  readonly pattern: string;
  readonly charset: string;
}

/** Why a pattern or charset cannot make codes, or undefined. */
export function shapeProblem(shape: CodeShape): { field: 'pattern' | 'charset'; message: string } | undefined {
  const { pattern, charset } = shape;
  if (!/^[A-Z0-9]+$/.test(charset) || new Set(charset).size !== charset.length) return { field: 'charset', message: 'upper-case letters and digits, each at most once' };
  if (charset.length < 10) return { field: 'charset', message: 'at least 10 characters' };
  if (pattern.length > MAX_PATTERN_LENGTH || !/^[A-Z0-9#\- ]+$/.test(pattern)) return { field: 'pattern', message: `up to ${MAX_PATTERN_LENGTH} characters of A-Z, 0-9, "-", space and "#" slots` };
  const significant = pattern.replace(SEPARATORS, '');
  if (!significant.endsWith(SLOT)) return { field: 'pattern', message: 'the last letter or slot must be a "#" (it holds the check character)' };
  if (randomSlotsOf(pattern) < 4) return { field: 'pattern', message: 'at least 5 "#" slots (4 random characters and the check character)' };
  return undefined;
}

const randomSlotsOf = (pattern: string) => [...pattern].filter((c) => c === SLOT).length - 1;

/** How many distinct codes a pattern and charset can make (as a bigint: long patterns exceed 2^53). */
export const spaceSize = (shape: CodeShape): bigint => BigInt(shape.charset.length) ** BigInt(randomSlotsOf(shape.pattern));

/** Codes a space may hold in all, at one per MIN_STRINGS_PER_CODE strings. */
export const spaceCapacity = (shape: CodeShape): number => {
  const capacity = spaceSize(shape) / BigInt(MIN_STRINGS_PER_CODE);
  return capacity > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(capacity);
};

/** A stable name for a code space: batches of one space share its numbering and its permutation. */
export const spaceIdOf = (shape: CodeShape): string => createHash('sha256').update(`${shape.pattern.replace(SEPARATORS, '')}\n${shape.charset}`).digest('base64url').slice(0, 16);

/** The permutation covers at most 2^62 values (32-bit halves); longer patterns fill the rest from a keyed function of the same number. */
const MAX_PERMUTED_BITS = 62;
const FEISTEL_ROUNDS = 6;

/**
 * The generator of one code space: `codeAt(n)` for n in [0, capacity) is the n-th code, all distinct.
 * `key` is the space's secret (derived from the platform's code secret); it never leaves the process.
 */
export function codeGenerator(shape: CodeShape, key: Buffer) {
  const radix = BigInt(shape.charset.length);
  const slots = randomSlotsOf(shape.pattern);
  // The permuted part: as many slots as fit in MAX_PERMUTED_BITS.
  let permutedSlots = 0;
  while (permutedSlots < slots && radix ** BigInt(permutedSlots + 1) <= 1n << BigInt(MAX_PERMUTED_BITS)) permutedSlots++;
  const domain = radix ** BigInt(permutedSlots);
  let bits = 2;
  while (1n << BigInt(bits) < domain) bits += 2;
  const halfBits = bits / 2;
  const halfMask = halfBits === 32 ? 0xffffffff : 2 ** halfBits - 1;
  const halfMaskBig = BigInt(halfMask);
  // The round function is AES-128 of (round, half) under the space's key: one ECB cipher object encrypts
  // block after block (no padding, no state between blocks), ~50x cheaper than an HMAC per round.
  const cipher = createCipheriv('aes-128-ecb', key.subarray(0, 16), null).setAutoPadding(false);
  const block = Buffer.alloc(16);
  const round = (r: number, half: number): number => {
    block[0] = r;
    block.writeUInt32BE(half >>> 0, 1);
    return cipher.update(block).readUInt32BE(0) & halfMask;
  };
  /** A balanced Feistel network on `bits` bits, walked until it lands inside the domain (cycle walking keeps it a permutation of the domain). */
  const permute = (n: bigint): bigint => {
    let value = n;
    do {
      let left = Number(value >> BigInt(halfBits));
      let right = Number(value & halfMaskBig);
      for (let r = 0; r < FEISTEL_ROUNDS; r++) [left, right] = [right, ((left ^ round(r, right)) & halfMask) >>> 0];
      value = (BigInt(left) << BigInt(halfBits)) | BigInt(right);
    } while (value >= domain);
    return value;
  };
  const extraDigits = (n: bigint, count: number): string => {
    if (count === 0) return '';
    const digest = createHmac('sha256', key).update(`extra:${n}`).digest();
    let value = BigInt(`0x${digest.toString('hex')}`);
    let out = '';
    for (let i = 0; i < count; i++, value /= radix) out += shape.charset[Number(value % radix)];
    return out;
  };

  return {
    capacity: spaceCapacity(shape),
    codeAt(n: number): string {
      let permuted = permute(BigInt(n));
      let random = '';
      for (let i = 0; i < permutedSlots; i++, permuted /= radix) random += shape.charset[Number(permuted % radix)];
      random += extraDigits(BigInt(n), slots - permutedSlots);
      let next = 0;
      const filled = [...shape.pattern].map((c) => (c === SLOT ? random[next++] ?? SLOT : c)).join('');
      // The last slot (still a "#") takes the check character of everything before it.
      const body = normalizeCode(filled).slice(0, -1);
      return filled.replace(/#(?=[-\s]*$)/, checkCharacterOf(body));
    },
  };
}
