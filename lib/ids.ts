import { monotonicFactory } from 'ulidx';

/** ULIDs: unique, and sorted by creation time, so a user's coupons come back newest-last without an index. */
const ulid = monotonicFactory();
export const newId = (): string => ulid();
export type IdGenerator = () => string;
