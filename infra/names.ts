import { Aws } from 'aws-cdk-lib';

/** Physical names that carry the stage, so that two stages deploy side by side in one account and region. */

/** Stack names. */
export const stackName = (base: 'CouponData' | 'CouponService' | 'CouponConsole' | 'CouponConsoleContent', stage: string): string => `${base}-${stage}`;

/** Stage, account and region make the name unique; both stacks compute it, so no cross-stack reference is needed. */
export const audienceBucketName = (stage: string): string => `coupon-audiences-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

/** How cdk-nag renders that name in its finding ids. */
export const audienceBucketNamePattern = (stage: string): string => `coupon-audiences-${stage}-<AWS::AccountId>-<AWS::Region>`;

/** The event bus marketing tools put CampaignRequested on, and the HTTP API. */
export const eventBusName = (stage: string): string => `coupons-${stage}`;
export const httpApiName = (stage: string): string => `coupons-${stage}`;

/** The archive bucket (archived coupons and their manifests), named like the audience bucket. */
export const archiveBucketName = (stage: string): string => `coupon-archive-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const archiveBucketNamePattern = (stage: string): string => `coupon-archive-${stage}-<AWS::AccountId>-<AWS::Region>`;

/** Code batch exports (clear codes, handed out as pre-signed links), named like the audience bucket. */
export const codeExportBucketName = (stage: string): string => `coupon-code-exports-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const codeExportBucketNamePattern = (stage: string): string => `coupon-code-exports-${stage}-<AWS::AccountId>-<AWS::Region>`;

/** The secret codes are hashed and generated with: a name both stacks know, so no cross-stack reference. */
export const codeSecretName = (stage: string): string => `coupons/${stage}/code-secret`;
/** Where back offices put legacy data files for an import (docs/migration.md). */
export const importBucketName = (stage: string): string => `coupon-imports-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const importBucketNamePattern = (stage: string): string => `coupon-imports-${stage}-<AWS::AccountId>-<AWS::Region>`;

/** The back-office console's files (served by CloudFront only), named like the other buckets so the content stack needs no reference to it. */
export const consoleBucketName = (stage: string): string => `coupon-console-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
export const consoleBucketNamePattern = (stage: string): string => `coupon-console-${stage}-<AWS::AccountId>-<AWS::Region>`;
