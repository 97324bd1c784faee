import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { AssetHashType, DefaultStackSynthesizer, DockerImage, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { repoRoot } from './coupon-function';
import { CONSOLE_PATH } from './console-site';

export interface ConsoleContentProps {
  readonly bucket: IBucket;
  /** How cdk-nag renders the bucket's name (infra/names.ts). */
  readonly bucketNamePattern: string;
  readonly distribution: IDistribution;
  /** The API's URL (the service stack's stage URL). */
  readonly apiUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/**
 * The console's files: the Vite build of console/ (built on this machine at synth, like the functions'
 * esbuild bundles) and the config.json it reads at start (the API's URL, the issuer and client id for
 * OpenID Connect with PKCE), copied into the site's bucket under /console/, then CloudFront's copies
 * of /console/* invalidated.
 */
export class ConsoleContent extends Construct {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleContentProps) {
    super(scope, id);
    const built = Source.asset(path.join(repoRoot, 'console'), {
      // The console also bundles the typed client and the pricing engine from outside console/: hash what is built.
      assetHashType: AssetHashType.OUTPUT,
      exclude: ['dist', 'node_modules'],
      bundling: {
        // Never used: the local build below always runs (there is no Docker here, and none is needed).
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
        local: {
          tryBundle(outputDir) {
            execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(repoRoot, 'console/vite.config.ts'), '--outDir', outputDir, '--emptyOutDir'], { cwd: repoRoot, stdio: 'inherit' });
            return true;
          },
        },
      },
    });
    const config = Source.jsonData('config.json', { apiUrl: props.apiUrl, signIn: { type: 'oidc', issuer: props.issuer, clientId: props.clientId, scopes: props.scopes } });
    this.deployment = new BucketDeployment(this, 'Files', {
      sources: [built, config],
      destinationBucket: props.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      distribution: props.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      memoryLimit: 512,
    });
    // BucketDeployment's function is a singleton at the stack's root, made and granted by CDK; cdk-nag names each wildcard it grants.
    const stack = Stack.of(this);
    const copier = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!copier) throw new Error('BucketDeployment made no function');
    // cdk-nag renders the partition and region as placeholders unless the stack's environment is known.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const reason = 'CDK\'s BucketDeployment function (a deploy-time custom resource): it reads the build from the CDK asset bucket, replaces the objects under console/ in the console bucket and invalidates the distribution (CreateInvalidation takes no resource ARN). Its grants are CDK\'s.';
    const findings = [
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => `IAM5[Action::${action}]`),
      'IAM5[Resource::*]',
      `IAM5[Resource::arn:${partition}:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-${region}/*]`,
      `IAM5[Resource::arn:${partition}:s3:::${props.bucketNamePattern}/*]`,
      'L1',
    ];
    for (const finding of findings) Validations.of(copier).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
  }
}
