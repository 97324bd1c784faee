import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ConsoleSiteProps {
  /** The identity provider the console signs in at (OIDC discovery, token endpoint): allowed in its CSP. */
  readonly issuer: string;
  /** Other origins of the identity provider (its token endpoint may live on another host, e.g. Cognito's hosted UI domain). */
  readonly authOrigins: readonly string[];
  readonly deletionProtection: boolean;
  readonly bucketName: string;
}

/** The path the console is served under, on the local stack and on CloudFront alike (console/vite.config.ts `base`). */
export const CONSOLE_PATH = '/console/';

/**
 * Where the back-office console lives: a private bucket that only this CloudFront distribution reads
 * (origin access control), HTTPS only, with security headers on every answer (a strict Content Security
 * Policy: scripts and styles from the console's own origin; calls to the API, the audience bucket's
 * upload links and the identity provider only). The files go in with ConsoleContent, after the API
 * exists; this part comes first so that the API's CORS and the audience bucket can name its origin.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>: the origin the API's CORS and the audience bucket allow. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Files', {
      bucketName: props.bucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Built files only, rebuilt from the repository on every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.deletionProtection,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'The bucket holds the console\'s built static files, written only by the deployment and read only by CloudFront; who used the console is in the API\'s access logs.',
    });

    const authOrigins = [new URL(props.issuer).origin, ...props.authOrigins].join(' ');
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Coupon console: HSTS, CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            // The API (an execute-api host of this region), upload links to the audience bucket, the identity provider.
            `connect-src 'self' https://*.execute-api.${Stack.of(this).region}.amazonaws.com https://*.s3.${Stack.of(this).region}.amazonaws.com https://*.s3.amazonaws.com ${authOrigins}`,
            `form-action 'self' ${authOrigins}`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
          ].join('; '),
        },
      },
    });

    // /console/ and its folders answer their index.html; the bare host and /console go to /console/.
    const indexes = new CloudFrontFunction(this, 'Indexes', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Coupon console: folder paths to their index.html',
      code: FunctionCode.fromInline(
        `function handler(event) {
  var request = event.request;
  if (request.uri === '/' || request.uri === '${CONSOLE_PATH.slice(0, -1)}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`,
      ),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Coupon platform back-office console',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: indexes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const acknowledge = (rule: string, reason: string) => Validations.of(this.distribution).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
    acknowledge('CFR1', 'Back-office staff sign in through the team\'s identity provider wherever they are; a geo restriction would be the team\'s choice, not the platform\'s.');
    acknowledge('CFR2', 'Static files behind sign-in: every call that changes anything goes to the API, which has its JWT authorizer and throttling. Attach a WAF web ACL here if the team has one.');
    acknowledge('CFR3', 'The distribution serves the same static files to everyone; what staff do is in the API\'s access logs.');
    acknowledge('CFR4', 'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain with its certificate can (docs/console.md).');
  }
}
