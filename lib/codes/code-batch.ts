import * as z from 'zod';
import { requestFingerprint } from '../fingerprint';
import { ulidString } from '../ids';
import { parseQueueMessage } from '../queues/queue-message';
import { isoTimestamp } from '../time';
import { DEFAULT_CHARSET, DEFAULT_PATTERN, MAX_PATTERN_LENGTH } from './code-format';

export const MAX_UNIQUE_CODES = 10_000_000;
export const MAX_SHARED_REDEMPTIONS = 10_000_000;

export const CodeBatchId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected a batch id of 1 to 64 letters, digits or _.:-');
export const CodeBatchIdPath = z.strictObject({ batchId: CodeBatchId });
export const TemplateIdPath = z.strictObject({ templateId: ulidString('a template id') });

const Validity = { validFrom: isoTimestamp().optional(), validUntil: isoTimestamp() };

/** The body of POST /v1/admin/templates/{templateId}/code-batches. */
export const CodeBatchRequest = z
  .discriminatedUnion('kind', [
    z.strictObject({
      batchId: CodeBatchId,
      kind: z.literal('unique'),
      /** How many codes; each is redeemed once, by one user. */
      count: z.int().min(1).max(MAX_UNIQUE_CODES),
      /** Letters, digits, "-" and spaces as they are, "#" for a code character; the last "#" holds the check character. */
      pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).default(DEFAULT_PATTERN),
      charset: z.string().min(10).max(36).default(DEFAULT_CHARSET),
      ...Validity,
    }),
    z.strictObject({
      batchId: CodeBatchId,
      kind: z.literal('shared'),
      /** The literal, such as SUMMER25; its check character is appended unless it already ends with it. */
      code: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, 'expected 4 to 32 letters, digits or "-"'),
      /** How many users may redeem it in all (each once). */
      maxRedemptions: z.int().min(1).max(MAX_SHARED_REDEMPTIONS),
      ...Validity,
    }),
  ])
  .refine((batch) => !batch.validFrom || batch.validFrom < batch.validUntil, { message: 'validFrom must be before validUntil', path: ['validUntil'] });
export type CodeBatchRequest = z.infer<typeof CodeBatchRequest>;

/** A batch's identity for idempotency: everything but the id. */
export const codeBatchRequestHash = (templateId: string, request: CodeBatchRequest): string => requestFingerprint({ templateId, ...request });

export const CODE_BATCH_STATUSES = ['generating', 'ready', 'revoked'] as const;
export type CodeBatchStatus = (typeof CODE_BATCH_STATUSES)[number];

/** A code batch as stored (without clear codes: a shared batch keeps only its code's hash). */
export interface CodeBatch {
  readonly batchId: string;
  readonly templateId: string;
  readonly kind: 'unique' | 'shared';
  readonly status: CodeBatchStatus;
  readonly requestHash: string;
  /** Codes in the batch (1 for a shared batch). */
  readonly count: number;
  /** Stock reserved for it: one unit per unique code, maxRedemptions for a shared one. */
  readonly reserved: number;
  readonly maxRedemptions?: number;
  readonly pattern: string;
  readonly charset: string;
  /** The code space (pattern and charset) and where in its numbering this batch's codes start. */
  readonly spaceId: string;
  readonly firstIndex: number;
  readonly parts: number;
  readonly partSize: number;
  readonly shards: number;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly generated: number;
  readonly exported: number;
  readonly revokedCodes: number;
  readonly exportKey?: string;
  readonly readyAt?: string;
  readonly revokedAt?: string;
}

/** One counter shard of a batch: `initial = available + redeemed + givenBack` at every moment; `state` closes with the batch. */
export interface CodeBatchShard {
  readonly shard: number;
  readonly initial: number;
  readonly available: number;
  readonly redeemed: number;
  readonly givenBack: number;
  /** Redemptions refused on a code of this batch (already redeemed, revoked, outside its validity). */
  readonly failed: number;
  readonly state: 'open' | 'closed';
}

export const CodeBatchView = z.object({
  batchId: z.string(),
  templateId: z.string(),
  kind: z.enum(['unique', 'shared']),
  status: z.enum(CODE_BATCH_STATUSES),
  pattern: z.string().optional(),
  charset: z.string().optional(),
  validFrom: z.string(),
  validUntil: z.string(),
  maxRedemptions: z.int().optional(),
  counts: z.object({
    codes: z.int(),
    generated: z.int(),
    redeemed: z.int(),
    revoked: z.int(),
    exported: z.int(),
    failedAttempts: z.int().describe('Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch'),
  }),
  stock: z.object({ reserved: z.int(), redeemed: z.int(), givenBack: z.int(), outstanding: z.int() }),
  exports: z.array(z.object({ by: z.string(), at: z.string() })).describe('The latest exports, newest first'),
  createdAt: z.string(),
  createdBy: z.string(),
  readyAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type CodeBatchView = z.infer<typeof CodeBatchView>;

export const CodeBatchCreated = CodeBatchView.extend({
  /** A shared batch's code as users type it (also in its export). */
  code: z.string().optional(),
});

export const CodeExportLink = z.object({
  url: z.string().describe('A pre-signed GET of the CSV (one code a line); it stops working at expiresAt'),
  expiresAt: z.string(),
  by: z.string(),
  at: z.string(),
});

export const RedeemInput = z.strictObject({ code: z.string().min(1).max(64) });
export const RevokeCodeInput = z.strictObject({ code: z.string().min(1).max(64) });

/** A generation queue message: one part of one batch. */
export const GenerationMessage = z.object({ batchId: CodeBatchId, part: z.int().min(0) });
export type GenerationMessage = z.infer<typeof GenerationMessage>;

export const parseGenerationMessage = (body: string): GenerationMessage | undefined => parseQueueMessage(GenerationMessage, body);
