import type * as z from 'zod';
import { InvalidInputError } from '../errors';
import type { Page } from '../pagination';
import { DAY_MS, type Clock, toEpochMs, toIso } from '../time';
import type { ArchiveManifestView, ListArchivesQuery } from './archive-routes';
import type { ArchiveTable } from './lifecycle-ports';

export interface ArchiveListingDeps {
  readonly table: Pick<ArchiveTable, 'manifests'>;
  readonly bucket: string;
  readonly clock: Clock;
}

/** Manifests of the archive batches made between `from` and `to` (default: the last 30 days), oldest first. */
export async function listArchives(deps: ArchiveListingDeps, query: z.infer<typeof ListArchivesQuery>): Promise<Page<z.infer<typeof ArchiveManifestView>>> {
  const to = query.to ?? toIso(deps.clock());
  const from = query.from ?? toIso(toEpochMs(to) - 30 * DAY_MS);
  if (from > to) throw new InvalidInputError('INVALID_RANGE', '`from` must not be after `to`', { from, to });
  const page = await deps.table.manifests({ from, to }, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { items: page.items.map((manifest) => ({ ...manifest, bucket: deps.bucket })), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
