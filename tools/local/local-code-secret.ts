/** The development code secret (on AWS the secret lives in Secrets Manager): codes made locally and in tests are hashed with it. */
export const LOCAL_CODE_SECRET = 'local-development-code-secret-not-for-production';
