import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The platform's code secret from Secrets Manager, through Powertools' parameters utility. The container
 * keeps the keys derived from it for the life of the environment (codes are hashed with it; it never
 * changes under a running function).
 */
export async function codeSecretFromSecretsManager(client: SecretsManagerClient, secretId: string): Promise<string> {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  const secret = await provider.get(secretId, { maxAge: 24 * 60 * 60 });
  if (typeof secret !== 'string' || secret === '') throw new Error(`the code secret ${secretId} is empty`);
  return secret;
}
