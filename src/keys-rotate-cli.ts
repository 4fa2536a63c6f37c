/**
 * `npm run keys:rotate [-- --batch-size N]`: re-encrypts and re-hashes, under the current key of
 * DATA_ENCRYPTION_KEYS, every identifier still under an older key, and re-wraps every document key
 * still wrapped under one (the document bytes stay as they are), in batches, while servers run.
 * It also encrypts documents still stored in clear by an earlier release. Then says how many
 * identifiers and document keys remain under each old key (0 and 0: that key may be dropped).
 */
import { Config, loadConfig } from './config';
import { migrateDatabase, openDatabase } from './db/database';
import { claimDataDirectory, openDataDirectoryWarning } from './db/data-directory';
import { DocumentVault } from './modules/documents/document-encryption';
import { documentKeysUnder, encryptClearDocuments, rewrapDocumentKeys } from './modules/documents/document-rekeying';
import { checkDataKeys } from './modules/identifiers/data-key-check';
import { rekeyIdentifiers } from './modules/identifiers/identifier-rekeying';
import { KeyRing, keyRingFor } from './shared/keys';

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
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // The embedded database has one owner: refused while a server runs on the same DATA_DIR.
  const claim = config.database.kind === 'pglite' && config.database.dataDir ? claimDataDirectory(config.database.dataDir) : null;
  const warning = claim && openDataDirectoryWarning(claim);
  if (warning) say(warning);
  try {
    const ring = keyRingFor(config, (file) => say(`DATA_ENCRYPTION_KEY is not set: generated a development key in ${file}`));
    await rotateWith(config, ring, batchSize, say);
  } finally {
    claim?.tighten();
    claim?.release();
  }
}

async function rotateWith(config: Config, ring: KeyRing, batchSize: number, say: (line: string) => void): Promise<void> {
  const database = await openDatabase(config.database);
  try {
    // The same start-up steps as the server: the schema it needs, and keys that fit the database.
    await migrateDatabase(database, say);
    await checkDataKeys(database, ring);

    const vault = new DocumentVault(ring);
    const current = ring.current.id;
    const encrypted = await encryptClearDocuments(database, vault);
    if (encrypted > 0) say(`Encrypted ${encrypted} document(s) stored in clear by an earlier release, under key ${current}.`);

    if (ring.keys.length === 1) say(`Only one key is configured (${current}): nothing to re-key.`);
    else say(`Re-keying identifiers and document keys to key ${current}, ${batchSize} per batch.`);
    const report = await rekeyIdentifiers(database, ring, {
      batchSize,
      onProgress: (done, total) => say(`re-keyed ${done}/${total} identifiers`),
    });
    say(`Done: re-keyed ${report.rekeyed} identifier(s) to key ${current}.`);
    const oldIds = ring.keys.slice(1).map((key) => key.id);
    const rewrapped = await rewrapDocumentKeys(database, vault, oldIds, {
      batchSize,
      onProgress: (done) => say(`re-wrapped ${done} document keys`),
    });
    say(`Done: re-wrapped ${rewrapped} document key(s) to key ${current}.`);

    const documentsLeft = await documentKeysUnder(database.prisma, oldIds);
    let anyLeft = false;
    for (const { keyId, count } of report.remaining) {
      const documents = documentsLeft.find((left) => left.keyId === keyId)?.count ?? 0;
      const free = count === 0 && documents === 0;
      anyLeft ||= !free;
      say(`${count} identifier(s) and ${documents} document key(s) remain under key ${keyId}${free ? `: ${keyId} may be dropped from DATA_ENCRYPTION_KEYS` : ''}`);
    }
    for (const { id, duplicateOf } of report.duplicates) {
      say(`identifier ${id} was left under its old key: it has the same value as ACTIVE identifier ${duplicateOf}; deactivate one and run again`);
    }
    if (anyLeft) process.exitCode = 2;
  } finally {
    await database.close();
  }
}

rotate().catch((error) => {
  process.stderr.write(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
