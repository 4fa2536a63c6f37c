import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, readMigrations } from '../../src/db/migrations';

/**
 * In-memory PGlite databases for the suite start from data-directory images instead of running
 * initdb: initdb costs about five seconds a database on these machines, loading an image about
 * one, and the suite starts a few hundred databases. Two images: `empty` (just after initdb, for
 * the migration tests) and `migrated` (every migration applied, for everything else). They are
 * built once by the jest global setup and kept under node_modules/.cache, named after the PGlite
 * version and the migrations' checksums, so a changed migration builds new ones.
 */
export type PgliteImageKind = 'empty' | 'migrated';

const NODE_MODULES = path.resolve(__dirname, '..', '..', 'node_modules');
const CACHE_DIR = path.join(NODE_MODULES, '.cache', 'onboarding-tests');

function imagePath(kind: PgliteImageKind): string {
  const pgliteVersion = (JSON.parse(readFileSync(path.join(NODE_MODULES, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }).version;
  const migrations = readMigrations().map((migration) => `${migration.name}:${migration.checksum}`);
  const key = createHash('sha256').update(JSON.stringify([pgliteVersion, migrations])).digest('hex').slice(0, 16);
  return path.join(CACHE_DIR, `pglite-${kind}-${key}.tar.gz`);
}

/** Builds both images unless they are already cached (the jest global setup calls this once). */
export async function buildPgliteImages(): Promise<void> {
  if (existsSync(imagePath('empty')) && existsSync(imagePath('migrated'))) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  const pglite = new PGlite();
  try {
    await pglite.waitReady;
    await save('empty', await pglite.dumpDataDir('gzip'));
    await applyMigrations({
      query: async (sql, params) => (await pglite.query(sql, params as unknown[])).rows as Record<string, unknown>[],
      exec: async (script) => void (await pglite.exec(script)),
      sharedConnection: pglite,
    });
    await save('migrated', await pglite.dumpDataDir('gzip'));
  } finally {
    await pglite.close();
  }
}

async function save(kind: PgliteImageKind, image: Blob): Promise<void> {
  // Written aside and renamed, so a reader never sees half an image.
  const target = imagePath(kind);
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await image.arrayBuffer()));
  renameSync(partial, target);
}

const loaded = new Map<PgliteImageKind, Blob>();

/** The image to start an in-memory PGlite from; undefined when none was built (then initdb runs). */
export function pgliteImage(kind: PgliteImageKind): Blob | undefined {
  const cached = loaded.get(kind);
  if (cached) return cached;
  const file = imagePath(kind);
  if (!existsSync(file)) return undefined;
  const image = new Blob([readFileSync(file)], { type: 'application/x-gzip' });
  loaded.set(kind, image);
  return image;
}

/**
 * Unpacks the migrated image into `<dataDir>/pglite`, where a server process started with this
 * DATA_DIR (and no DATABASE_URL) keeps its embedded database, so the child opens a database in
 * about a second instead of running initdb. Does nothing when the directory already holds one.
 */
export function seedDataDirectory(dataDir: string): void {
  const databaseDir = path.join(dataDir, 'pglite');
  const image = imagePath('migrated');
  if (existsSync(path.join(databaseDir, 'PG_VERSION')) || !existsSync(image)) return;
  mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  // The image's entries are named /PG_VERSION, /base/...: GNU tar strips the leading slash.
  execFileSync('tar', ['-xzf', image, '-C', databaseDir], { stdio: 'ignore' });
}
