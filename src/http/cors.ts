import cors from 'cors';
import type { CorsPolicy } from '../config';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * Only listed origins (exact match) get Access-Control-Allow-Origin; outside production, with no
 * list, any http://localhost:* or http://127.0.0.1:* page may call (a front-end in development).
 */
export function corsFor(policy: CorsPolicy, methods: string[] = ['GET', 'POST', 'OPTIONS']) {
  const allowed = (origin: string) => (policy.kind === 'localhost' ? LOCAL_ORIGIN.test(origin) : policy.origins.includes(origin));
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed(origin)),
    methods,
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id', 'idempotency-key'],
    maxAge: 600,
  });
}
