import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * How the embedded database (PGlite) is started, sized for one server process.
 *
 * PGlite runs PostgreSQL inside a WebAssembly memory that only grows: whatever PostgreSQL touches
 * once stays resident for the life of the process. Three things decided the server's size:
 *
 * - `shared_buffers`: initdb writes 128MB into postgresql.conf, and PGlite zero-fills its shared
 *   memory when it sets it up, so all of it was resident from the first moment (145MB of shared
 *   memory in all). 16MB (24MB in all) is plenty for one connection and a database of onboarding
 *   records; pages beyond it are read from the files again, through the OS cache. `wal_buffers`
 *   follows it (1/32). The setting goes on PostgreSQL's command line at every start, which
 *   overrides postgresql.conf, so it applies as much to data directories made by earlier versions
 *   (and to the test images) as to new ones, and nothing is written to them.
 * - initdb: on a new data directory PGlite runs initdb in a second PostgreSQL instance (another
 *   128MB memory and more, plus a 128MB copy of it) and leaves all of that to the garbage
 *   collector, which may take any time to free it. It runs in a short-lived child process
 *   instead, so the server only ever opens an existing data directory. It creates the database
 *   beside the data directory (`<dir>.creating-<pid>`) and the server renames it into place once
 *   whole: a first start killed half-way leaves no half-made database to fail every later start,
 *   only a leftover the next start deletes.
 * - V8 compiles PostgreSQL's WebAssembly with its baseline compiler (Liftoff), then recompiles
 *   the functions that run hot with its optimising one (TurboFan). For PostgreSQL's large
 *   functions that takes tens of MB of compiler memory each, which the C allocator keeps
 *   afterwards: about 100MB, and seconds of CPU at start. With baseline code only
 *   (`--liftoff-only`, which V8 lists as a testing flag) the bench's throughput stayed within its
 *   run-to-run noise. The flag is process-wide and read when a module is compiled; were a Node
 *   version to drop it, only the memory saving would be lost.
 */
export const EMBEDDED_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/** V8's switch for baseline WebAssembly code only. */
const BASELINE_WASM_ONLY = '--liftoff-only';

const startParams = [
  ...PGlite.defaultStartParams,
  ...Object.entries(EMBEDDED_POSTGRES_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

/**
 * A PGlite instance on `options` with the settings above. A data directory on disk that holds no
 * database yet is created first, in a child process (see above); `waitReady` as usual.
 */
export async function newEmbeddedPglite(options: Pick<PGliteOptions, 'dataDir' | 'loadDataDir'>): Promise<PGlite> {
  // Process-wide, and only for modules compiled from now on: PGlite compiles its module on first use.
  setFlagsFromString(BASELINE_WASM_ONLY);
  if (options.dataDir && !options.loadDataDir && !existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    await createDatabaseInPlace(options.dataDir);
  }
  return new PGlite({ ...options, startParams });
}

// Plain JavaScript for `node -e`, so it runs the same from dist/ and under ts-jest.
const CREATE_DATABASE = `
const { PGlite } = require(process.argv[1]);
// The server is waiting for this process: when it goes away, so does this one.
process.on('disconnect', () => process.exit(1));
const pglite = new PGlite({ dataDir: process.argv[2] });
pglite.waitReady
  .then(() => pglite.close())
  .then(() => process.exit(0), (error) => {
    process.stderr.write(String((error && error.stack) || error));
    process.exit(1);
  });
`;

/**
 * Creates the database of `dataDir` beside it, then renames it into place. `dataDir` may exist
 * empty (the server made it); anything else in it is not a database this server made, and is
 * refused rather than overwritten. Leftovers of creations that were cut short are deleted first.
 */
async function createDatabaseInPlace(dataDir: string): Promise<void> {
  const parent = path.dirname(dataDir);
  const base = path.basename(dataDir);
  for (const name of readdirSync(parent)) {
    if (name.startsWith(`${base}.creating-`)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  if (existsSync(dataDir)) {
    if (readdirSync(dataDir).length > 0) {
      throw new Error(`${dataDir} holds files but no database (no PG_VERSION): move it away, or point DATA_DIR elsewhere; it was not made by this server`);
    }
    rmdirSync(dataDir);
  }
  const creating = path.join(parent, `${base}.creating-${process.pid}`);
  try {
    await createDatabaseApart(creating);
    renameSync(creating, dataDir);
  } catch (error) {
    rmSync(creating, { recursive: true, force: true });
    throw error;
  }
}

/** Runs initdb for `dataDir` in a child process (PGlite does it when it finds no database). */
function createDatabaseApart(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BASELINE_WASM_ONLY, '-e', CREATE_DATABASE, require.resolve('@electric-sql/pglite'), dataDir], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(new Error(`creating the embedded database in ${dataDir} failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`));
    });
  });
}
