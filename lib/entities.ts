import type { ItemKey } from './keys';
import { timeToLiveAttribute } from './table';

/**
 * The `entity` tag every item carries, named once. Repositories write it through `entityItem`; the
 * stream consumers' filters (infra and the local stack, through lib/topology.ts) and the stream
 * readers match on it.
 */
export const Entity = {
  template: 'template',
  stockShard: 'stock-shard',
  stockAddition: 'stock-addition',
  templateCreation: 'template-creation',
  statisticsShard: 'statistics-shard',
  settings: 'settings',
  coupon: 'coupon',
  claimCounter: 'claim-counter',
  idempotency: 'idempotency',
  profile: 'profile',
  order: 'order',
  campaign: 'campaign',
  campaignAudience: 'campaign-audience',
  campaignCounter: 'campaign-counter',
  campaignChunk: 'campaign-chunk',
  campaignFailedUser: 'campaign-failed-user',
  campaignReservation: 'campaign-reservation',
  campaignParkedChunk: 'campaign-parked-chunk',
  campaignRepeats: 'campaign-repeats',
  templateCampaign: 'template-campaign',
  reminder: 'reminder',
  reminderProgress: 'reminder-progress',
  archiveManifest: 'archive-manifest',
  archiveShard: 'archive-shard',
  codeBatch: 'code-batch',
  codeBatchShard: 'code-batch-shard',
  codeBatchPart: 'code-batch-part',
  codeExport: 'code-export',
  templateCodeBatch: 'template-code-batch',
  codeSpace: 'code-space',
  code: 'code',
  codeRedemption: 'code-redemption',
  codeFailures: 'code-failures',
  import: 'import',
  importPart: 'import-part',
  importSegment: 'import-segment',
  legacyCouponVersion: 'legacy-coupon-version',
} as const;
export type EntityName = (typeof Entity)[keyof typeof Entity];

/** An item as stored: its key (and any index keys), its entity tag, then its own attributes. */
export const entityItem = <A extends object>(entity: EntityName, key: ItemKey & { readonly gsi1pk?: string; readonly gsi1sk?: string; readonly gsi2pk?: string; readonly gsi2sk?: string }, attributes: A) => ({ ...key, entity, ...attributes });

/** The key and bookkeeping attributes (index keys, the TTL) items carry, which are not part of the entity itself. */
const BOOKKEEPING = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', timeToLiveAttribute]);

/** An item's own fields, without its keys and entity tag. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !BOOKKEEPING.has(name))) as T;
}

/** One committed write of an item, as the table's stream tells it: the item before and after. */
export interface ItemChange<T> {
  readonly kind: 'insert' | 'modify' | 'remove';
  /** The entity of the item that changed (a consumer may read several). */
  readonly entity: EntityName;
  readonly before?: T;
  readonly after?: T;
  /** Stable across redeliveries of the same change: events built from it carry it in their id. */
  readonly eventId: string;
  /** Where in the stream the change stands: a consumer resumes there. */
  readonly sequenceNumber: string;
  /** When the write happened, ISO-8601. */
  readonly at: string;
}
