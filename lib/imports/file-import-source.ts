import { createReadStream } from 'node:fs';
import type { ImportFile } from './import';
import type { ImportSource } from './import-service';
import { linesWithBytes } from './line-reader';

/** Files on this machine (the CLI, tests and benchmarks): `path` is a local path. */
export class FileImportSource implements ImportSource {
  lines(file: ImportFile) {
    return linesWithBytes(createReadStream(file.path));
  }

  async range(file: ImportFile, start: number, end: number): Promise<string> {
    if (end <= start) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(file.path, { start, end: end - 1 })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
