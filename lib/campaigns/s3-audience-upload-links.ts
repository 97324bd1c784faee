import type { S3Client } from '@aws-sdk/client-s3';
import type { AudienceUploadLinks } from './audience-uploads';

/** Pre-signed PUTs into the audience bucket; the function signing them may only PutObject under `uploads/`. */
export class S3AudienceUploadLinks implements AudienceUploadLinks {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucketName: string | undefined,
  ) {}

  get bucket(): string {
    // Only the function that hands out upload links is given the bucket.
    if (!this.bucketName) throw new Error('no audience bucket is configured (campaigns.audienceBucket)');
    return this.bucketName;
  }

  async putUrl(key: string, contentType: string, expiresInSeconds: number): Promise<string> {
    const bucket = this.bucket;
    const [{ PutObjectCommand }, { getSignedUrl }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
    return getSignedUrl(await this.s3(), new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), { expiresIn: expiresInSeconds });
  }
}
