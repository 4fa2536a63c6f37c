'use strict';
/** How the bench runs the API server: its environment and a staff token (bench/run.js, bench/ab.js). */

const { createHash, randomBytes } = require('node:crypto');

// The data key is recorded in the database at first start and must match on every later one, so a
// PostgreSQL scratch database keeps working from run to run: a fixed key, for bench data only.
const BENCH_DATA_KEY = createHash('sha256').update('onboarding-api bench data key: not for real data').digest('base64');
const AUTH_SECRET = randomBytes(32).toString('base64');
const RATE_LIMITS = Object.fromEntries(
  ['CONTACT_REQUESTS_PER_CLIENT', 'CONTACT_REQUESTS_PER_DESTINATION', 'WRONG_CONTACT_CODES', 'IDENTIFIER_ADDS', 'DOCUMENT_UPLOADS'].map((rule) => [`RATE_LIMIT_${rule}`, '1000000/1h']),
);

/** The production environment a server child (and the in-process statement app) runs with. */
function serverEnvironment({ port, dataDir, codeUrl, databaseUrl, poolSize }) {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: String(poolSize) } : {}),
    AUTH_JWT_SECRET: AUTH_SECRET,
    DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
    CONTACT_DELIVERY: 'webhook',
    CONTACT_WEBHOOK_URL: codeUrl,
    CONTACT_WEBHOOK_SECRET: randomBytes(24).toString('base64'),
    LOG_LEVEL: 'warn',
    ...RATE_LIMITS,
  };
}

/** A staff token with every scope, for the servers this bench process starts. */
function staffToken() {
  const { mintToken, ALL_STAFF_SCOPES } = require('../dist/auth/tokens');
  return mintToken(Buffer.from(AUTH_SECRET, 'utf8'), { scopes: ALL_STAFF_SCOPES, subject: 'bench', ttlSeconds: 3600 });
}

module.exports = { serverEnvironment, staffToken };
