import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PLACEHOLDER_ISSUER, readDeploySettings } from './settings';
import { CouponDataStack, CouponServiceStack, audienceBucketName } from './stacks';

/** Builds the whole CDK app; `cdk synth` runs it, and the infra tests call it with their own context. */
export function buildApp(props: AppProps = {}) {
  // Strong references: the data stack refuses to drop an export the service stack still uses.
  const app = new App({ ...props, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...props.context } });
  const settings = readDeploySettings(app.node);
  const data = new CouponDataStack(app, 'CouponData', { env: settings.environment, settings, description: 'Coupon platform: table (stateful)' });
  const service = new CouponServiceStack(app, 'CouponService', { env: settings.environment, settings, table: data.table, audienceBucketName: audienceBucketName(), description: 'Coupon platform: API and functions (stateless)' });
  if (settings.jwtIssuer === PLACEHOLDER_ISSUER) {
    Validations.of(service).addWarning('PlaceholderIssuer', `No jwtIssuer given: using ${PLACEHOLDER_ISSUER}. Deploy with -c jwtIssuer=https://your-issuer/ -c jwtAudience=your-audience`);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, service, settings };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
