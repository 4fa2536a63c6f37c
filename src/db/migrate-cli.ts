/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
import { loadConfig } from '../config';
import { openDatabase } from './database';
import { claimDataDirectory, openDataDirectoryWarning } from './data-directory';
import { applyMigrations } from './migrations';

async function migrate(): Promise<void> {
  const config = loadConfig();
  // The embedded database has one owner: refused while a server runs on the same DATA_DIR.
  const claim = config.database.kind === 'pglite' && config.database.dataDir ? claimDataDirectory(config.database.dataDir) : null;
  const warning = claim && openDataDirectoryWarning(claim);
  if (warning) process.stdout.write(`${warning}\n`);
  try {
    const database = await openDatabase(config.database);
    const session = await database.openSession();
    try {
      const applied = await applyMigrations(session, undefined, (message) => process.stdout.write(`${message}\n`));
      process.stdout.write(applied.length === 0 ? 'No pending migrations.\n' : `Applied ${applied.length} migration(s).\n`);
    } finally {
      await session.close();
      await database.close();
    }
  } finally {
    claim?.tighten();
    claim?.release();
  }
}

migrate().catch((error) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
