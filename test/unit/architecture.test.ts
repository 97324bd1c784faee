import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../tools/local/dynamodb-local';

/** The layering rules of docs/architecture.md, read from the code's own imports. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)));
}
const importsOf = (file: string) => [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]!);

/** Adapters name what they adapt to; only they, the DynamoDB toolkit and the clients module may use the AWS SDK. */
const isAdapter = (file: string) =>
  file === 'lib/clients.ts' || file.startsWith('lib/dynamodb/') || /-repository\.ts$/.test(file) || /\/(sqs|s3|lambda|eventbridge|secrets-manager)-[\w-]+\.ts$/.test(file);

describe('architecture', () => {
  const lib = sourceFiles('lib');

  it('domain modules import no AWS SDK package; only adapters, the toolkit and the clients module do', () => {
    const offenders = lib.filter((file) => !isAdapter(file) && importsOf(file).some((module) => module.startsWith('@aws-sdk/')));
    expect(offenders).toEqual([]);
    // And the rule is not empty: the adapters do use the SDK.
    expect(lib.filter((file) => isAdapter(file) && importsOf(file).some((module) => module.startsWith('@aws-sdk/'))).length).toBeGreaterThan(10);
  });

  it('lib/ knows nothing of functions/, tools/, infra/, Lambda events or middy outside its HTTP edge and the Lambda wiring', () => {
    const offenders = lib.filter((file) =>
      importsOf(file).some(
        (module) => /\/(functions|tools|infra)\//.test(module) || ((module === '@middy/core' || module === 'aws-lambda') && !file.startsWith('lib/http/') && file !== 'lib/lambda.ts'),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('Powertools is used through lib/observability.ts (instances) and lib/lambda.ts (its middlewares) only, and its parameters utility by the code secret adapter', () => {
    const users = ['lib', 'functions'].flatMap(sourceFiles).filter((file) => importsOf(file).some((module) => module.startsWith('@aws-lambda-powertools/')));
    expect(users.sort()).toEqual(['lib/codes/secrets-manager-code-secret.ts', 'lib/lambda.ts', 'lib/observability.ts']);
  });

  it('zod is imported as a namespace, so bundles keep only the schemas used (a named import pulled in every locale: +260 KB a function)', () => {
    const named = ['lib', 'functions', 'tools'].flatMap(sourceFiles).filter((file) => /^import\s+\{[^}]*\bz\b[^}]*\}\s+from\s+'zod'/m.test(readFileSync(path.join(repoRoot, file), 'utf8')));
    expect(named).toEqual([]);
  });

  it('process.env is read only by the config module (and the CDK app reads its account and region)', () => {
    const readers = ['lib', 'functions', 'tools', 'bench', 'test', 'infra']
      .flatMap(sourceFiles)
      .filter((file) => file !== 'test/unit/architecture.test.ts' && readFileSync(path.join(repoRoot, file), 'utf8').includes('process.env'));
    expect(readers.sort()).toEqual(['infra/settings.ts', 'lib/config.ts']);
  });

  it('entry points in functions/ are thin: they build from the container and call into lib/', () => {
    for (const file of sourceFiles('functions')) {
      const source = readFileSync(path.join(repoRoot, file), 'utf8');
      expect(source, file).toMatch(/export const build = /);
      expect(source, file).toMatch(/export const handler = onLambda\(build\);/);
      expect(importsOf(file).every((module) => module.startsWith('../../lib/') || module === 'aws-lambda'), file).toBe(true);
    }
  });
});
