import * as z from 'zod';
import { monotonicFactory } from 'ulidx';

/** ULIDs: unique, and sorted by creation time, so a user's coupons come back newest-last without an index. */
const ulid = monotonicFactory();
export const newId = (): string => ulid();
export type IdGenerator = () => string;

/** A user id as the identity provider gives it: up to 128 characters, no "#" (a key separator) or whitespace. */
export const userIdString = () => z.string().min(1).max(128).regex(/^[^#\s]+$/, 'a user id has no "#" or whitespace');
/** A path naming a user (back-office routes about one user: tags, wallet). */
export const UserIdPath = z.strictObject({ userId: userIdString() });

/** A ULID as it appears in paths and bodies (Crockford base32, 26 characters). */
export const ulidString = (what: string) => z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, `expected ${what}`);
