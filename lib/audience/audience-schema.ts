import * as z from 'zod';

/** A user's audience tags, which targeted templates match against. */
export const UserTagsInput = z.strictObject({ tags: z.array(z.string().min(1).max(64)).max(50) });
export const UserTagsView = z.object({ userId: z.string(), tags: z.array(z.string()), updatedAt: z.string().optional() });
