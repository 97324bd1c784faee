import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Container } from '../../lib/container';
import { repoRoot } from './dynamodb-local';

/**
 * Loads a function's entry module (the very file the CDK app bundles) and builds its handler with the
 * given container, as lib/lambda.ts does on AWS with the environment's container.
 */
export async function buildEntry<H>(entry: string, container: Container): Promise<H> {
  const module = (await import(pathToFileURL(path.join(repoRoot, entry)).href)) as { build(container: Container): H };
  return module.build(container);
}
