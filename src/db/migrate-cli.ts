/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
import { loadConfig } from '../config';
import { openDatabase } from './database';
import { applyMigrations } from './migrations';

async function migrate(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  const session = await database.openSession();
  try {
    const applied = await applyMigrations(session, undefined, (message) => process.stdout.write(`${message}\n`));
    process.stdout.write(applied.length === 0 ? 'No pending migrations.\n' : `Applied ${applied.length} migration(s).\n`);
  } finally {
    await session.close();
    await database.close();
  }
}

migrate().catch((error) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
