import type { AudienceLocation, RepeatFilterRef } from './campaign';
import type { BloomFilter } from './repeat-filter';

/** One page of an audience; no `nextCursor` means it was the last. */
export interface AudiencePage {
  readonly userIds: string[];
  readonly nextCursor?: string;
  /** About how many entries the whole audience has (exact for a stored list; from the file's size and this page's for S3). */
  readonly approximateTotal: number;
}

/**
 * Where a campaign's users are kept and read back a page at a time, so memory stays flat however large
 * the audience. An inline list is stored first (it must not ride in events or state); a file in S3 is
 * read where it lies. Cursors are opaque; `undefined` starts at the beginning.
 */
export interface AudienceStore {
  storeInline(campaignId: string, userIds: readonly string[]): Promise<AudienceLocation>;
  readPage(campaignId: string, location: AudienceLocation, cursor: string | undefined): Promise<AudiencePage>;
  /** Keeps the campaign's repeat filter; answers how many parts it took. Storing it again is harmless. */
  storeRepeats(campaignId: string, filter: BloomFilter): Promise<RepeatFilterRef>;
  readRepeats(campaignId: string, ref: RepeatFilterRef): Promise<BloomFilter>;
}
