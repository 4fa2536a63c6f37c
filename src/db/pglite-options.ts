import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * How the embedded database (PGlite) is started, sized for one server process.
 *
 * PGlite runs PostgreSQL inside a WebAssembly memory that only grows: whatever PostgreSQL touches
 * once stays resident for the life of the process.
 *
 * - `shared_buffers`: initdb writes 128MB into postgresql.conf, and PGlite zero-fills its shared
 *   memory when it sets it up, so all of it was resident from the first moment (145MB of shared
 *   memory in all). 16MB (24MB in all) is plenty for one connection and a database of onboarding
 *   records; pages beyond it are read from the files again, through the OS cache. `wal_buffers`
 *   follows it (1/32). The setting goes on PostgreSQL's command line at every start, which
 *   overrides postgresql.conf, so it applies as much to data directories made by earlier versions
 *   (and to the test images) as to new ones, and nothing is written to them.
 */
export const EMBEDDED_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

const startParams = [
  ...PGlite.defaultStartParams,
  ...Object.entries(EMBEDDED_POSTGRES_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

/** A PGlite instance on `options` with the settings above; `waitReady` as usual. */
export async function newEmbeddedPglite(options: Pick<PGliteOptions, 'dataDir' | 'loadDataDir'>): Promise<PGlite> {
  return new PGlite({ ...options, startParams });
}
