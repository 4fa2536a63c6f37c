/**
 * `npm run events:retry`: lists the outbox deliveries that gave up (dead: still failing 24 hours
 * after they were queued, or a contact code that expired while its provider failed).
 * `npm run events:retry -- --id <id>` queues one again, `-- --all` every one; a running server
 * delivers them at its next sweep (on the embedded database, stop the server first: its data
 * directory has one owner).
 */
import { loadConfig } from './config';
import { claimDataDirectory, openDataDirectoryWarning } from './db/data-directory';
import { migrateDatabase, openDatabase } from './db/database';
import { deadDeliveries, requeueDeadDeliveries } from './modules/events/outbox-dispatcher';
import { isUuid } from './shared/result';

async function retry(args: string[]): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const at = args.indexOf('--id');
  const id = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && (!id || !isUuid(id))) throw new Error('--id needs the id of a dead delivery (a UUID, as listed by npm run events:retry)');
  const config = loadConfig();
  const claim = config.database.kind === 'pglite' && config.database.dataDir ? claimDataDirectory(config.database.dataDir) : null;
  const warning = claim && openDataDirectoryWarning(claim);
  if (warning) say(warning);
  const database = await openDatabase(config.database);
  try {
    await migrateDatabase(database, say);
    if (id || args.includes('--all')) {
      const count = await requeueDeadDeliveries(database.prisma, id ? { id } : 'all');
      say(count === 0 ? 'No such dead delivery.' : `Queued ${count} dead deliver${count === 1 ? 'y' : 'ies'} again.`);
      return;
    }
    const dead = await deadDeliveries(database.prisma);
    if (dead.length === 0) say('No dead deliveries.');
    for (const row of dead) {
      say(`${row.id}  ${row.topic}  client ${row.clientId}  ${row.attempts} attempts  queued ${row.queuedAt.toISOString()}  last error: ${row.lastError ?? '-'}`);
    }
    if (dead.length > 0) say('Queue one again with: npm run events:retry -- --id <id> (or --all)');
  } finally {
    await database.close();
    claim?.tighten();
    claim?.release();
  }
}

retry(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
