import * as z from 'zod';
import { defineRoutes } from '../http/route';
import { pageOf } from '../pagination';
import { isoTimestamp } from '../time';
import { MANIFEST_STATES } from './lifecycle-ports';

export const ListArchivesQuery = z.strictObject({
  /** Batches made from this instant (default: 30 days before `to`) ... */
  from: isoTimestamp().optional(),
  /** ... to this one (default: now). */
  to: isoTimestamp().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2_000).optional(),
});

export const ArchiveManifestView = z.object({
  batchId: z.string(),
  shard: z.int(),
  createdAt: z.string(),
  state: z.enum(MANIFEST_STATES),
  objects: z.array(z.object({ key: z.string(), day: z.string(), templateId: z.string(), count: z.int(), bytes: z.int(), sha256: z.string() })).readonly(),
  coupons: z.int(),
  leftInTable: z.int(),
  completedAt: z.string().optional(),
  bucket: z.string(),
});

/** Back office: what archival moved to S3, batch by batch. */
export const archiveRoutes = defineRoutes({
  listArchives: {
    method: 'GET',
    path: '/v1/admin/archives',
    entry: 'functions/lifecycle/list-archives.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'Archive manifests made between two instants, oldest first: each batch\'s objects (S3 key, coupons, bytes, SHA-256) and state',
    request: { query: ListArchivesQuery },
    response: { status: 200, schema: pageOf(ArchiveManifestView), description: 'A page of manifests' },
    errors: [400],
  },
});
