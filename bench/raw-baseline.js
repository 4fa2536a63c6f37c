'use strict';
/**
 * The raw-SQL baseline of the nested page: what `clients(first: N) { edges { node { ... addresses
 * identifiers } } }` costs without the API, so `npm run bench` can print the API's throughput as a
 * ratio of it. A plain node:http server over the project's own tables, three statements a page
 * (the clients, their addresses, their identifiers; `= ANY($1)`), answered as JSON shaped like the
 * GraphQL response with the same fields. value_encrypted is never read.
 *
 * Run by bench/run.js as a child process:
 *   PORT                  where to listen (127.0.0.1)
 *   BASELINE_DATABASE_URL PostgreSQL, through a pg Pool of BASELINE_POOL_SIZE connections, or
 *   BASELINE_PGLITE_DIR   an embedded PGlite data directory (one connection; the API server must
 *                         have stopped: one process at a time may open it)
 * Any POST answers a page (its JSON body's `variables.first`, default 50); GET /health/ready says ready.
 */

const http = require('node:http');

const CLIENTS = `SELECT id, external_id AS "externalId", first_name AS "firstName", last_name AS "lastName", email,
       email_verified AS "emailVerified", mobile_phone AS "mobilePhone", mobile_phone_verified AS "mobilePhoneVerified",
       status, kyc_verification_type AS "kycVerificationType", version
  FROM clients ORDER BY created_at, id LIMIT $1`;
const ADDRESSES = `SELECT client_id, id, type, is_primary AS "isPrimary", line1, city, postal_code AS "postalCode", country_code AS "countryCode"
  FROM addresses WHERE client_id = ANY($1::uuid[]) ORDER BY created_at, id`;
// isValid as the API defines it: ACTIVE and not expired today (UTC).
const IDENTIFIERS = `SELECT client_id, id, type, issuing_country AS "issuingCountry", last4, status,
       (status = 'ACTIVE' AND (expires_on IS NULL OR expires_on >= (now() AT TIME ZONE 'UTC')::date)) AS "isValid"
  FROM identifiers WHERE client_id = ANY($1::uuid[]) ORDER BY created_at, id`;

async function openDatabase() {
  if (process.env.BASELINE_DATABASE_URL) {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: process.env.BASELINE_DATABASE_URL, max: Number(process.env.BASELINE_POOL_SIZE || 10) });
    return { query: async (sql, params) => (await pool.query(sql, params)).rows, close: () => pool.end() };
  }
  if (process.env.BASELINE_PGLITE_DIR) {
    const { PGlite } = require('@electric-sql/pglite');
    const pglite = new PGlite({ dataDir: process.env.BASELINE_PGLITE_DIR });
    await pglite.waitReady;
    return { query: async (sql, params) => (await pglite.query(sql, params)).rows, close: () => pglite.close() };
  }
  throw new Error('raw-baseline: set BASELINE_DATABASE_URL or BASELINE_PGLITE_DIR');
}

async function page(db, first) {
  const clients = await db.query(CLIENTS, [first]);
  const ids = clients.map((client) => client.id);
  const [addresses, identifiers] = await Promise.all([db.query(ADDRESSES, [ids]), db.query(IDENTIFIERS, [ids])]);
  const nodes = new Map(clients.map((client) => [client.id, { ...client, addresses: [], identifiers: [] }]));
  for (const { client_id: clientId, ...address } of addresses) nodes.get(clientId).addresses.push(address);
  for (const { client_id: clientId, ...identifier } of identifiers) nodes.get(clientId).identifiers.push(identifier);
  return { data: { clients: { edges: [...nodes.values()].map((node) => ({ node })) } } };
}

async function main() {
  const db = await openDatabase();
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(req.url === '/health/ready' ? 200 : 404, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        const first = Number.isInteger(body?.variables?.first) ? body.variables.first : 50;
        const json = JSON.stringify(await page(db, first));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.message ?? error));
      }
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`raw-baseline failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
