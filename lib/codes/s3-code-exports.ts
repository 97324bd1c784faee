import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CodeExports } from './code-service';

/**
 * Exports in their own private bucket: written as a streamed multipart upload (memory stays flat for
 * ten million codes), handed out as pre-signed GETs that expire.
 */
export class S3CodeExports implements CodeExports {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string | undefined,
  ) {}

  private async client() {
    // Only the code functions are given the bucket; the others never export.
    if (!this.bucket) throw new Error('no code export bucket is configured (codes.exportBucket)');
    return { s3: await this.s3(), bucket: this.bucket };
  }

  async write(key: string, lines: AsyncIterable<string>): Promise<void> {
    const { s3, bucket } = await this.client();
    const { Upload } = await import('@aws-sdk/lib-storage');
    await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: Readable.from(lines), ContentType: 'text/csv; charset=utf-8' } }).done();
  }

  async url(key: string, expiresInSeconds: number): Promise<string> {
    const { s3, bucket } = await this.client();
    const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
    return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename="${key.split('/').pop()}"` }), { expiresIn: expiresInSeconds });
  }
}
