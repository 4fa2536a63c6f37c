/**
 * `npm run keys:rotate [-- --batch-size N]`: re-encrypts and re-hashes, under the current key of
 * DATA_ENCRYPTION_KEYS, every identifier still under an older key, in batches, while servers run.
 * Then says how many identifiers remain under each old key (0: that key may be dropped).
 */
import { loadConfig } from './config';
import { openDatabase } from './db/database';
import { applyMigrations } from './db/migrations';
import { checkDataKeys } from './modules/identifiers/data-key-check';
import { rekeyIdentifiers } from './modules/identifiers/identifier-rekeying';
import { keyRingFor } from './shared/keys';

function batchSizeFrom(args: string[]): number {
  const at = args.indexOf('--batch-size');
  if (at < 0) return 500;
  const size = Number(args[at + 1]);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new Error('--batch-size must be an integer from 1 to 10000');
  return size;
}

async function rotate(): Promise<void> {
  const batchSize = batchSizeFrom(process.argv.slice(2));
  const config = loadConfig();
  const ring = keyRingFor(config, (file) => process.stdout.write(`DATA_ENCRYPTION_KEY is not set: generated a development key in ${file}\n`));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const database = await openDatabase(config.database);
  try {
    // The same start-up steps as the server: the schema it needs, and keys that fit the database.
    const session = await database.openSession();
    try {
      await applyMigrations(session, undefined, say);
    } finally {
      await session.close();
    }
    await checkDataKeys(database.prisma, ring);

    const current = ring.current.id;
    if (ring.keys.length === 1) say(`Only one key is configured (${current}): nothing to re-key.`);
    else say(`Re-keying identifiers to key ${current}, ${batchSize} per batch.`);
    const report = await rekeyIdentifiers(database.prisma, ring, {
      batchSize,
      onProgress: (done, total) => say(`re-keyed ${done}/${total} identifiers`),
    });
    say(`Done: re-keyed ${report.rekeyed} identifier(s) to key ${current}.`);
    for (const { keyId, count } of report.remaining) {
      say(`${count} identifier(s) remain under key ${keyId}${count === 0 ? `: ${keyId} may be dropped from DATA_ENCRYPTION_KEYS` : ''}`);
    }
    for (const { id, duplicateOf } of report.duplicates) {
      say(`identifier ${id} was left under its old key: it has the same value as ACTIVE identifier ${duplicateOf}; deactivate one and run again`);
    }
    if (report.remaining.some((r) => r.count > 0)) process.exitCode = 2;
  } finally {
    await database.close();
  }
}

rotate().catch((error) => {
  process.stderr.write(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
