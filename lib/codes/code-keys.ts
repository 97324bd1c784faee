import { createHmac } from 'node:crypto';

/**
 * Keys derived from the platform's code secret (Secrets Manager on AWS, a development value locally):
 * one to hash codes for storage and lookup, one per code space to generate its codes. Codes are stored
 * only as these keyed hashes; the clear code exists in the batch's export and nowhere else.
 */
export interface CodeKeys {
  /** The stored form of a normalized code: HMAC-SHA256, 128 bits, base64url. */
  hashOf(normalizedCode: string): string;
  /** The generator key of a code space (lib/codes/code-format.ts). */
  spaceKey(spaceId: string): Buffer;
}

export function codeKeys(secret: string): CodeKeys {
  if (secret.length < 32) throw new Error('the code secret must be at least 32 characters');
  const hashKey = createHmac('sha256', secret).update('code-hash').digest();
  return {
    hashOf: (normalizedCode) => createHmac('sha256', hashKey).update(normalizedCode).digest().subarray(0, 16).toString('base64url'),
    spaceKey: (spaceId) => createHmac('sha256', secret).update(`code-space:${spaceId}`).digest(),
  };
}
