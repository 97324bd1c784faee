import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { corsPolicy } from '../../lib/http/cors';
import { type RouteDefinition, routeKey } from '../../lib/http/route';
import { allRoutes } from '../../lib/api/api';
import { httpApiName } from '../names';
import { CouponFunction } from './coupon-function';

export interface CouponHttpApiProps {
  /** Part of the API's name (`coupons-<stage>`). */
  readonly stage: string;
  /** Origins browsers may call the API from; none: no CORS. */
  readonly corsOrigins?: readonly string[];
  readonly table: ITableV2;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly logRetention: RetentionDays;
  /** Stage-wide default; routes may set their own in the route table. */
  readonly defaultThrottle: { readonly rate: number; readonly burst: number };
  readonly routes?: readonly RouteDefinition[];
  /** Environment every route function gets (service-wide settings such as the lock timeout). */
  readonly environment?: Record<string, string>;
}

/**
 * The HTTP API: one Lambda function per route of lib/api/routes.ts, each granted exactly the table
 * access its route declares; a JWT authorizer on every non-public route, with the route's scope
 * required for back-office and order-service routes; access logs and throttling on the stage.
 */
export class CouponHttpApi extends Construct {
  readonly api: HttpApi;
  /** The stage's URL (https://<api id>.execute-api.<region>.amazonaws.com/). */
  readonly url: string;
  readonly functions = new Map<string, CouponFunction>();
  private readonly routes: readonly RouteDefinition[];

  constructor(scope: Construct, id: string, props: CouponHttpApiProps) {
    super(scope, id);
    this.routes = props.routes ?? allRoutes;
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, { jwtAudience: [...props.jwtAudience] });
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: httpApiName(props.stage),
      createDefaultStage: false,
      ...(props.corsOrigins?.length
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: corsPolicy.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...corsPolicy.allowHeaders],
              exposeHeaders: [...corsPolicy.exposeHeaders],
              maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
            },
          }
        : {}),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: props.defaultThrottle.rate, burstLimit: props.defaultThrottle.burst },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    // CfnStage.routeSettings is untyped JSON passed to CloudFormation as is: it needs CloudFormation's casing.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const shared = new Map<string, CouponFunction>();
    for (const route of this.routes) {
      const fn = (route.sharedFunction && shared.get(route.sharedFunction)) || this.routeFunction(route, props);
      if (route.sharedFunction) shared.set(route.sharedFunction, fn);
      if (route.tableAccess !== 'none') fn.bindTable(props.table, route.tableAccess);
      this.functions.set(route.id, fn);

      const isPublic = route.scope === 'public';
      const scopes: string[] = route.scope === 'public' || route.scope === 'user' ? [] : [route.scope];
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${capitalize(route.id)}Integration`, fn),
        ...(isPublic ? {} : { authorizer, authorizationScopes: scopes }),
      });
      if (route.throttle) {
        routeSettings[routeKey(route)] = { ThrottlingRateLimit: route.throttle.rate, ThrottlingBurstLimit: route.throttle.burst };
      }
    }
    if (Object.keys(routeSettings).length > 0) (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason: 'Only GET /v1/health and GET /openapi.json are public (liveness and the API description); every other route has the JWT authorizer.',
    });
    this.url = stage.url;
    new CfnOutput(this, 'ApiUrl', { value: stage.url });
  }

  /** A route's own function, or the one its shared group is served by (named and described after the group's routes). */
  private routeFunction(route: RouteDefinition, props: CouponHttpApiProps): CouponFunction {
    const group = route.sharedFunction ? this.routes.filter((other) => other.sharedFunction === route.sharedFunction) : [route];
    return new CouponFunction(this, `${capitalize(route.sharedFunction ?? route.id)}Function`, {
      entry: route.entry,
      description: group.map(routeKey).join(', ').concat(group.length === 1 ? `: ${route.summary}` : '').slice(0, 256),
      logRetention: props.logRetention,
      environment: props.environment,
    });
  }

  /** The function behind a route. */
  functionOf(route: { readonly id: string }): CouponFunction {
    const fn = this.functions.get(route.id);
    if (!fn) throw new Error(`no function for route ${route.id}`);
    return fn;
  }

  /** The functions of routes that use code resources (lib/http/route.ts `uses`), with their routes: CouponCodes grants them. */
  routesThatUse(): Array<{ route: RouteDefinition; fn: CouponFunction }> {
    // A shared function is listed once a route; granting twice is harmless (CDK merges identical statements).
    return this.routes.filter((route) => route.uses?.length).map((route) => ({ route, fn: this.functions.get(route.id)! }));
  }

  /** The distinct functions whose routes use this (a shared function once). */
  functionsThatUse(what: Uses): CouponFunction[] {
    return this.functionsOfRoutes((route) => route.uses?.includes(what) ?? false);
  }

  functionsThatSend(what: Sends): CouponFunction[] {
    return this.functionsOfRoutes((route) => route.sends?.includes(what) ?? false);
  }

  private functionsOfRoutes(matches: (route: RouteDefinition) => boolean): CouponFunction[] {
    return [...new Set(this.routes.filter(matches).map((route) => this.functions.get(route.id)!))];
  }
}

/** The functions whose routes declare they send this (lib/http/route.ts `sends`); their constructs grant it. */
export type Sends = NonNullable<RouteDefinition['sends']>[number];
export type Uses = NonNullable<RouteDefinition['uses']>[number];

const capitalize = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
