import { redeemCode } from '../../lib/codes/code-service';
import { codeRoutes } from '../../lib/codes/code-routes';
import { type Container, codeDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = codeDeps(container);
  return apiHandler(codeRoutes.redeemCode, async ({ identity, body, idempotencyKey, sourceIp }) => {
    const result = await redeemCode(deps, { userId: identity.subject, address: sourceIp, code: body.code, idempotencyKey });
    return { body: result.coupon, ...(result.replayed ? { status: 200, headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);
