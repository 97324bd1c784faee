import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveObjects } from './lifecycle-ports';

/** S3 adapter for archive objects and manifests in the archive bucket. */
export class S3ArchiveObjects implements ArchiveObjects {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string | undefined,
  ) {}

  private async client(): Promise<{ s3: S3Client; bucket: string; commands: typeof import('@aws-sdk/client-s3') }> {
    // Only the archival function and the archive listing are given a bucket; the others never archive.
    if (!this.bucket) throw new Error('no archive bucket is configured (lifecycle.archiveBucket)');
    return { s3: await this.s3(), bucket: this.bucket, commands: await import('@aws-sdk/client-s3') };
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const { s3, bucket, commands } = await this.client();
    await s3.send(new commands.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { s3, bucket, commands } = await this.client();
    try {
      const response = await s3.send(new commands.GetObjectCommand({ Bucket: bucket, Key: key }));
      return await response.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof commands.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { s3, bucket, commands } = await this.client();
    await s3.send(new commands.DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
