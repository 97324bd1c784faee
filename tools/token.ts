import { parseArgs } from 'node:util';
import { signDevToken } from './local/dev-auth';

/** `npm run --silent token -- --sub <id> [--scope "<scopes>"]` prints a token for the local stack and nothing else. */
const { values } = parseArgs({
  options: { sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string' } },
  strict: true,
});
if (!values.sub) {
  process.stderr.write('usage: npm run --silent token -- --sub <id> [--scope "coupons/admin coupons/orders"] [--expires-in 12h]\n');
  process.exit(2);
}
process.stdout.write(`${await signDevToken({ sub: values.sub, scope: values.scope, expiresIn: values['expires-in'] })}\n`);
