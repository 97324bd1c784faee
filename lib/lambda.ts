import { settingsFromEnvironment } from './config';
import { type Container, createContainer } from './container';

/**
 * The Lambda side of the wiring: one container per execution environment, built from the
 * environment the CDK app set, on the first invocation. Every entry point in functions/ exports
 * `build(container)` (used as it is by the local stack, tests and benchmarks with their own container)
 * and `handler = onLambda(build)`.
 */
let container: Container | undefined;
const lambdaContainer = (): Container => (container ??= createContainer(settingsFromEnvironment()));

export function onLambda<A extends unknown[], R>(build: (container: Container) => (...args: A) => R): (...args: A) => R {
  let handler: ((...args: A) => R) | undefined;
  return (...args) => (handler ??= build(lambdaContainer()))(...args);
}
