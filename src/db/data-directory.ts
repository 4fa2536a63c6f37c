/**
 * DATA_DIR, where the embedded (PGlite) database lives, has one owner and is private.
 *
 * - One owner: PGlite is a database inside one process; two processes on the same files would
 *   each run their own copy and lose writes. The owner holds an exclusive OS lock on
 *   DATA_DIR/server.lock for its whole life (an open-file-description lock on Linux, flock on
 *   macOS, through fs-native-extensions); the kernel drops it when the process ends, however it
 *   ends, so a killed owner never blocks the next start. The file holds the owner's pid, to name
 *   it when another process is refused.
 * - Private: a umask of 077 for the process, then DATA_DIR's directories 0700 and files 0600.
 *   PGlite sets its own modes on the files it unpacks (0666, whatever the umask), so the modes
 *   are fixed again once the database is open and after it is closed; the directories, created
 *   under the umask, keep everything inside from other users meanwhile.
 */
import { closeSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, chmodSync, writeSync, constants } from 'node:fs';
import path from 'node:path';
import { tryLock } from 'fs-native-extensions';

export const LOCK_FILE_NAME = 'server.lock';
const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;

export class DataDirectoryInUseError extends Error {
  override name = 'DataDirectoryInUseError';
}

/** What a pass over DATA_DIR made private. */
export interface ModeFixes {
  /** Directories that were open to other users (a DATA_DIR made by an earlier version, or by hand). */
  directories: string[];
  files: number;
  /** Entries whose mode could not be changed (not ours), with the reason. */
  failures: string[];
}

export interface DataDirectoryClaim {
  /** DATA_DIR: the directory that holds the embedded database's folder. */
  readonly directory: string;
  /** What was more open than 0700/0600 when the claim was made, now fixed. */
  readonly fixedAtStart: ModeFixes;
  /** Makes private again whatever PGlite created since (call after it opens and after it closes). */
  tighten(): ModeFixes;
  /** Gives up ownership. */
  release(): void;
}

/**
 * Claims DATA_DIR (the parent of the embedded database's folder `databaseDir`) for this process:
 * throws DataDirectoryInUseError, naming the directory and the owner's pid, when another process
 * holds it. Synchronous, so nothing else runs between the umask and the first file.
 */
export function claimDataDirectory(databaseDir: string): DataDirectoryClaim {
  const directory = path.dirname(path.resolve(databaseDir));
  process.umask(0o077);
  mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY });

  const lockFile = path.join(directory, LOCK_FILE_NAME);
  const fd = openSync(lockFile, constants.O_RDWR | constants.O_CREAT, PRIVATE_FILE);
  let locked = false;
  try {
    locked = tryLock(fd);
  } finally {
    if (!locked) closeSync(fd);
  }
  if (!locked) {
    const owner = readFileSync(lockFile, 'utf8').trim();
    throw new DataDirectoryInUseError(
      `DATA_DIR ${directory} is in use by another process (${/^\d+$/.test(owner) ? `pid ${owner}` : 'pid not recorded yet'}), ` +
        `which holds ${lockFile}. The embedded database has one owner: stop that process first, or give this server ` +
        'another DATA_DIR (or a DATABASE_URL, for several servers on one PostgreSQL database).',
    );
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);

  let released = false;
  return {
    directory,
    fixedAtStart: makePrivate(directory),
    tighten: () => makePrivate(directory),
    release() {
      if (released) return;
      released = true;
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Directories 0700 and files 0600 under `root` (itself included); symbolic links are left alone. */
export function makePrivate(root: string): ModeFixes {
  const fixes: ModeFixes = { directories: [], files: 0, failures: [] };
  const visit = (entry: string) => {
    let stats;
    try {
      stats = lstatSync(entry);
    } catch {
      return; // removed meanwhile (PGlite's temporary files)
    }
    const isDirectory = stats.isDirectory();
    if (!isDirectory && !stats.isFile()) return;
    if ((stats.mode & 0o077) !== 0) {
      try {
        chmodSync(entry, isDirectory ? PRIVATE_DIRECTORY : PRIVATE_FILE);
        if (isDirectory) fixes.directories.push(entry);
        else fixes.files += 1;
      } catch (error) {
        fixes.failures.push(`${entry}: ${(error as Error).message}`);
      }
    }
    if (isDirectory) {
      let names: string[] = [];
      try {
        names = readdirSync(entry);
      } catch (error) {
        fixes.failures.push(`${entry}: ${(error as Error).message}`);
      }
      for (const name of names) visit(path.join(entry, name));
    }
  };
  visit(root);
  return fixes;
}

/**
 * The warning for an operator when the claim found DATA_DIR open to other users (directories
 * more open than 0700), or null. Files alone are not worth a warning: PGlite writes some 0666
 * itself, and the private directories above them keep them from other users.
 */
export function openDataDirectoryWarning(claim: DataDirectoryClaim): string | null {
  const { directories, files, failures } = claim.fixedAtStart;
  if (failures.length > 0) {
    return `DATA_DIR ${claim.directory}: could not make ${failures.length} entries private (0700 directories, 0600 files), e.g. ${failures[0]}`;
  }
  if (directories.length === 0) return null;
  return (
    `DATA_DIR ${claim.directory} was open to other users (made by an earlier version, or by hand): ` +
    `made ${directories.length} director${directories.length === 1 ? 'y' : 'ies'} 0700 and ${files} file(s) 0600`
  );
}
