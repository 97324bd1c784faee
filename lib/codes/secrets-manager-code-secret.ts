import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The platform's code secret from Secrets Manager, through Powertools' parameters utility (cached for
 * the life of the environment: codes are hashed with it, so it never changes under a running function).
 */
export async function codeSecretFromSecretsManager(client: SecretsManagerClient, secretId: string): Promise<string> {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  const secret = await provider.get(secretId, { maxAge: Number.MAX_SAFE_INTEGER });
  if (typeof secret !== 'string' || secret === '') throw new Error(`the code secret ${secretId} is empty`);
  return secret;
}
