import { App, Aspects, Validations, type AppProps } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PLACEHOLDER_ISSUER, readDeploySettings } from './settings';
import { PowertoolsEnvironment } from './constructs/powertools-environment';
import { CouponConsoleContentStack, CouponConsoleStack, CouponDataStack, CouponServiceStack, archiveBucketName, audienceBucketName, codeExportBucketName, importBucketName, stackName } from './stacks';

/** Builds the whole CDK app; `cdk synth` runs it, and the infra tests call it with their own context. */
export function buildApp(props: AppProps = {}) {
  // Every feature flag this CDK version recommends (what `cdk init` writes into a new project), and strong
  // references: the data stack refuses to drop an export the service stack still uses.
  const app = new App({ ...props, context: { ...CURRENTLY_RECOMMENDED_FLAGS, '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...props.context } });
  const settings = readDeploySettings(app.node);
  const { stage } = settings;
  const consoleSite = new CouponConsoleStack(app, stackName('CouponConsole', stage), { env: settings.environment, settings, description: `Coupon platform (${stage}): back-office console site (S3, CloudFront)` });
  const consoleOrigin = consoleSite.site.origin;
  const data = new CouponDataStack(app, stackName('CouponData', stage), { env: settings.environment, settings, consoleOrigin, description: `Coupon platform (${stage}): table (stateful)` });
  const service = new CouponServiceStack(app, stackName('CouponService', stage), {
    env: settings.environment,
    settings,
    table: data.table,
    audienceBucketName: audienceBucketName(stage),
    archiveBucketName: archiveBucketName(stage),
    codeExportBucketName: codeExportBucketName(stage),
    importBucketName: importBucketName(stage),
    consoleOrigin,
    description: `Coupon platform (${stage}): API and functions (stateless)`,
  });
  const consoleContent = new CouponConsoleContentStack(app, stackName('CouponConsoleContent', stage), {
    env: settings.environment,
    settings,
    site: consoleSite.site,
    apiUrl: service.api.url,
    description: `Coupon platform (${stage}): back-office console files and configuration`,
  });
  Aspects.of(app).add(new PowertoolsEnvironment(settings));
  if (settings.jwtIssuer === PLACEHOLDER_ISSUER) {
    Validations.of(service).addWarning('PlaceholderIssuer', `No jwtIssuer given: using ${PLACEHOLDER_ISSUER}. Deploy with -c jwtIssuer=https://your-issuer/ -c jwtAudience=your-audience`);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, service, consoleSite, consoleContent, settings };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
