import * as z from 'zod';
import type { Clock } from '../time';
import { toIso, utcDay } from '../time';
import type { IdGenerator } from '../ids';

/**
 * Audience files uploaded from a browser (the back-office console): the API hands out a pre-signed PUT
 * to a fresh key in the audience bucket, and the campaign is then requested with that file as its
 * `s3` audience. The browser never gets credentials, and a link names one object for a few minutes.
 */
export interface AudienceUploadLinks {
  /** The bucket the links point into (the audience bucket). */
  readonly bucket: string;
  /** A link that lets whoever holds it PUT this one object, with this content type, until it expires. */
  putUrl(key: string, contentType: string, expiresInSeconds: number): Promise<string>;
}

export interface AudienceUploadDeps {
  readonly links: AudienceUploadLinks;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly expiresInSeconds: number;
}

export const AUDIENCE_CONTENT_TYPE = 'text/plain';

export const AudienceUploadRequest = z.strictObject({
  /** Kept in the key (letters, digits, dot, dash, underscore) so an operator recognises the file in the bucket. */
  fileName: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/, 'a file name of letters, digits, ".", "-" or "_"')
    .optional(),
});

export const AudienceUploadView = z.object({
  audience: z.object({ type: z.literal('s3'), bucket: z.string(), key: z.string() }),
  upload: z.object({
    method: z.literal('PUT'),
    url: z.string(),
    headers: z.object({ 'content-type': z.literal(AUDIENCE_CONTENT_TYPE) }),
    expiresAt: z.string(),
  }),
});
export type AudienceUploadView = z.infer<typeof AudienceUploadView>;

/** POST /v1/admin/campaigns/audience-uploads: a fresh key under `uploads/<day>/` (the bucket's 30-day expiry removes it) and its link. */
export async function createAudienceUpload(deps: AudienceUploadDeps, request: z.infer<typeof AudienceUploadRequest>): Promise<AudienceUploadView> {
  const now = deps.clock();
  const key = `uploads/${utcDay(now)}/${deps.newId()}${request.fileName ? `-${request.fileName}` : '.txt'}`;
  const url = await deps.links.putUrl(key, AUDIENCE_CONTENT_TYPE, deps.expiresInSeconds);
  return {
    audience: { type: 's3', bucket: deps.links.bucket, key },
    upload: { method: 'PUT', url, headers: { 'content-type': AUDIENCE_CONTENT_TYPE }, expiresAt: toIso(now + deps.expiresInSeconds * 1_000) },
  };
}
