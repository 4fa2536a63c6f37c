/**
 * The embedded database (PGlite) runs with the settings of src/db/pglite-options.ts, whatever its
 * postgresql.conf says (initdb writes shared_buffers = 128MB there): they keep the server's memory
 * small. The memory itself is measured by the bench, not here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Database, openDatabase } from '../../src/db/database';
import { EMBEDDED_POSTGRES_SETTINGS } from '../../src/db/pglite-options';
import { pgliteImage } from '../support/pglite-images';

/** What postgresql.conf in the data directory says for shared_buffers. */
async function sharedBuffersInConfigFile(database: Database): Promise<string | undefined> {
  const session = await database.openSession();
  try {
    const rows = await session.query("SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers' AND sourcefile LIKE '%/postgresql.conf'");
    return rows.length ? String(rows[rows.length - 1]!.setting) : undefined;
  } finally {
    await session.close();
  }
}

async function settingsIn(database: Database): Promise<Record<string, string>> {
  const session = await database.openSession();
  try {
    const shown: Record<string, string> = {};
    for (const name of Object.keys(EMBEDDED_POSTGRES_SETTINGS)) {
      const [row] = await session.query(`SELECT current_setting($1) AS value`, [name]);
      shown[name] = String(row!.value);
    }
    return shown;
  } finally {
    await session.close();
  }
}

describe('settings of the embedded database (PGlite)', () => {
  it('a database started from an image runs with them', async () => {
    // given the suite's migrated image, whose postgresql.conf is initdb's
    const database = await openDatabase({ kind: 'pglite', dataDir: null, image: pgliteImage('migrated') });
    try {
      expect(await sharedBuffersInConfigFile(database)).toBe('128MB');
      // then it runs with the settings of src/db/pglite-options.ts
      expect(EMBEDDED_POSTGRES_SETTINGS).toEqual({ shared_buffers: '16MB' });
      expect(await settingsIn(database)).toEqual(EMBEDDED_POSTGRES_SETTINGS);
    } finally {
      await database.close();
    }
  });

  it('a new data directory on disk is created apart and opened with them, now and at the next start', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'onboarding-embedded-settings-'));
    const dataDir = path.join(root, 'pglite');
    try {
      // when a database is opened on a directory that holds none yet
      let database = await openDatabase({ kind: 'pglite', dataDir });
      try {
        // then it was created there, and runs with the settings (given at every start, not written to postgresql.conf)
        expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
        expect(await settingsIn(database)).toEqual(EMBEDDED_POSTGRES_SETTINGS);
        expect(await sharedBuffersInConfigFile(database)).toBe('128MB');
        await (await database.openSession()).exec('CREATE TABLE kept (id integer PRIMARY KEY); INSERT INTO kept VALUES (1);');
      } finally {
        await database.close();
      }

      // when it is opened again
      database = await openDatabase({ kind: 'pglite', dataDir });
      try {
        // then it is the same database, with the same settings
        const session = await database.openSession();
        expect(await session.query('SELECT id FROM kept')).toEqual([{ id: 1 }]);
        expect(await settingsIn(database)).toEqual(EMBEDDED_POSTGRES_SETTINGS);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
