import type { Sql } from '../db/sql';
import type { HealthCheck } from './health';

/**
 * Readiness of the database: it answers, and every migration this release ships is applied (a
 * database restored from an older backup, or migrated by hand, is not one to serve from).
 * Migrations the database has and this release does not are fine: a newer instance of a rolling
 * deployment applied them.
 */
export function databaseChecks(sql: Sql, shippedMigrations: readonly string[]): HealthCheck[] {
  return [
    {
      name: 'database',
      async check() {
        await sql.$queryRaw`SELECT 1`;
        return true;
      },
    },
    {
      name: 'migrations',
      async check() {
        const rows = await sql.$queryRaw<Array<{ migration_name: string }>>`
          SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
        const applied = new Set(rows.map((row) => row.migration_name));
        const missing = shippedMigrations.filter((name) => !applied.has(name));
        if (missing.length === 0) return true;
        return `${missing.length} migration(s) not applied: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`;
      },
    },
  ];
}
