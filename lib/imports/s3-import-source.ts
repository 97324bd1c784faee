import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ImportFile } from './import';
import type { ImportSource } from './import-service';
import { linesWithBytes } from './line-reader';

/** Files in the import bucket: `path` is the object key. A part reads only its byte range. */
export class S3ImportSource implements ImportSource {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

  async *lines(file: ImportFile) {
    const object = await (await this.s3()).send(new GetObjectCommand({ Bucket: this.bucket, Key: file.path }));
    yield* linesWithBytes(object.Body as AsyncIterable<Uint8Array>);
  }

  async range(file: ImportFile, start: number, end: number): Promise<string> {
    if (end <= start) return '';
    const object = await (await this.s3()).send(new GetObjectCommand({ Bucket: this.bucket, Key: file.path, Range: `bytes=${start}-${end - 1}` }));
    return object.Body!.transformToString('utf8');
  }
}
