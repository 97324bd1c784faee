import { defineRoutes } from '../http/route';
import { DualWriteCouponInput, DualWriteResult, ExternalIdPath, ImportAccepted, ImportIdPath, ImportProgressQuery, ImportRequest, ImportView } from './import';

/** Back office: start and follow imports of legacy data; the legacy system: the dual write (its own scope). */
export const importRoutes = defineRoutes({
  startImport: {
    method: 'POST',
    path: '/v1/admin/imports',
    entry: 'functions/imports/start-import.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Import legacy templates and coupons from files in the import bucket (JSON Lines; coupons also CSV), in the background: validate, write, verify. dryRun: validate and count only. The same import id with the same request answers the import, with another 409',
    request: { body: ImportRequest },
    response: { status: 202, replayStatus: 200, schema: ImportAccepted, description: 'Accepted (or the existing import); follow it at GET /v1/admin/imports/{importId}' },
    errors: [409],
    uses: ['importQueue'],
  },
  getImport: {
    method: 'GET',
    path: '/v1/admin/imports/{importId}',
    entry: 'functions/imports/get-import.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'An import: status, progress, totals (read, created, updated, unchanged, invalid), the invalid records (line, field, reason) and the reconciliation of source and table per template and status',
    request: { path: ImportIdPath, query: ImportProgressQuery },
    response: { status: 200, schema: ImportView, description: 'The import, with a page of its invalid records (nextInvalidFrom: ask again from there)' },
    errors: [404],
  },
  dualWriteCoupon: {
    method: 'PUT',
    path: '/v1/admin/imports/coupons/{externalId}',
    entry: 'functions/imports/dual-write-coupon.ts',
    scope: 'coupons/import',
    tableAccess: 'readWrite',
    summary: 'The dual write of a cut-over: one coupon as the legacy system holds it now. Idempotent; the newest version by updatedAt wins (an older one is ignored)',
    request: { path: ExternalIdPath, body: DualWriteCouponInput },
    response: { status: 200, schema: DualWriteResult, description: 'What the platform holds now' },
    errors: [404],
    throttle: { rate: 1_000, burst: 2_000 },
    // Its settle message: sent with a delay, it puts the newest version back after any import's blind write.
    uses: ['importQueue'],
  },
});
