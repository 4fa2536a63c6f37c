'use strict';
/**
 * What a transaction costs the server's CPU through Prisma's interactive transaction and through
 * the pool's pg client directly: the same three statements (lock a client row, read its addresses,
 * bump its version) in each, one transaction at a time, after a warm-up. The figure behind the
 * README's "what is left": a mutation's transaction is mostly Prisma's pipeline, not PostgreSQL.
 *
 *   npm run build && BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scratch node bench/transaction-overhead.js
 */

const { openDatabase } = require('../dist/db/database');

const url = process.env.BENCH_DATABASE_URL ?? '';
const transactions = Number(process.env.BENCH_TRANSACTIONS ?? 1500);
const NO_CLIENT = '00000000-0000-0000-0000-000000000000';

async function main() {
  if (!/bench|scratch/.test(new URL(url || 'postgresql://x/none').pathname)) throw new Error('BENCH_DATABASE_URL must name a bench or scratch database');
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 4 });
  try {
    const { prisma } = database;
    const { pool } = database.driver;
    const id = NO_CLIENT;
    const throughPrisma = () =>
      prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM clients WHERE id = ${id}::uuid FOR UPDATE`;
        await tx.$queryRaw`SELECT count(*) FROM addresses WHERE client_id = ${id}::uuid`;
        await tx.$executeRaw`UPDATE clients SET version = version + 1 WHERE id = ${id}::uuid`;
      });
    const throughPg = async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query({ text: 'SELECT id FROM clients WHERE id = $1::uuid FOR UPDATE', values: [id] });
        await client.query({ text: 'SELECT count(*) FROM addresses WHERE client_id = $1::uuid', values: [id] });
        await client.query({ text: 'UPDATE clients SET version = version + 1 WHERE id = $1::uuid', values: [id] });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    const measure = async (run) => {
      for (let i = 0; i < 300; i++) await run();
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < transactions; i++) await run();
      const used = process.cpuUsage(cpu);
      return { cpuMs: (used.user + used.system) / 1000 / transactions, wallMs: (performance.now() - started) / transactions };
    };
    process.stdout.write(`transaction of 3 statements, ${transactions} one at a time, after 300 warm-up (alternating, twice):\n`);
    for (let round = 0; round < 2; round++) {
      for (const [label, run] of [['Prisma $transaction', throughPrisma], ['pg client (BEGIN with the first statement)', throughPg]]) {
        const { cpuMs, wallMs } = await measure(run);
        process.stdout.write(`  ${label}: ${cpuMs.toFixed(3)} ms of CPU, ${wallMs.toFixed(3)} ms wall a transaction\n`);
      }
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
