/**
 * DATA_DIR of the embedded database, as an operator runs `node dist/main.js`: private (0700
 * directories, 0600 files), owned by one server at a time, free again when the owner is killed,
 * and given up promptly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientsDocument, CreateClientDocument } from '../generated/graphql';
import { SERVER_ENTRY, ServerProcess, startServerProcess } from '../support/server-process';
import { TEST_AUTH_SECRET } from '../support/test-app';

/** Every directory or file under `root` (itself included) that other users could reach, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stats = lstatSync(entry, { throwIfNoEntry: false });
    if (!stats || stats.isSymbolicLink()) return;
    const wanted = stats.isDirectory() ? 0o700 : 0o600;
    if ((stats.mode & 0o777) !== wanted) found.push(`${(stats.mode & 0o777).toString(8)} ${path.relative(root, entry) || '.'}`);
    if (stats.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(root);
  return found;
}

/** What an earlier version left: directories 0755, files 0644. */
function loosen(root: string): void {
  const stats = lstatSync(root);
  chmodSync(root, stats.isDirectory() ? 0o755 : 0o644);
  if (stats.isDirectory()) for (const name of readdirSync(root)) loosen(path.join(root, name));
}

/** Starting PGlite on disk takes many seconds on a busy machine (a minute and more seen). */
const READY_TIMEOUT_MS = 150_000;
const STEP_TIMEOUT_MS = 240_000;

describe('DATA_DIR of the embedded database (node dist/main.js)', () => {
  let root: string;
  let dataDir: string;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];
  let owner: ServerProcess;
  let successor: ServerProcess;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'onboarding-datadir-'));
    // not there yet: the server creates it
    dataDir = path.join(root, 'data');
    env = { DATA_DIR: dataDir, DATA_ENCRYPTION_KEY: Buffer.alloc(32, 0x3c).toString('base64') };
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    rmSync(root, { recursive: true, force: true });
  }, 60_000);
  async function start() {
    const server = await startServerProcess(env, { readyTimeoutMs: READY_TIMEOUT_MS });
    servers.push(server);
    return server;
  }
  const clientCount = async (server: ServerProcess) => (await server.run(ClientsDocument, { first: 1 })).clients.totalCount;

  it('1. a fresh DATA_DIR is private: directories 0700 and files 0600, the database files included', async () => {
    // when a server starts on a DATA_DIR that does not exist yet, and writes
    owner = await start();
    await owner.run(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' } });

    // then nothing in it is open to other users
    expect(await clientCount(owner)).toBe(1);
    expect(readdirSync(dataDir).sort()).toEqual(['pglite', 'server.lock']);
    expect(openToOthers(dataDir)).toEqual([]);
  }, STEP_TIMEOUT_MS);

  it('2. a second server on the same DATA_DIR exits 1, naming the directory and the owner\'s pid', async () => {
    // when another server starts on the same DATA_DIR
    const refusal = await startServerProcess(env, { readyTimeoutMs: READY_TIMEOUT_MS }).then(
      (server) => {
        servers.push(server);
        return null;
      },
      (error: Error) => error,
    );

    // then it exits with status 1 before serving, saying which directory and which process
    expect(refusal?.message).toMatch(/^server exited \(1\) before/);
    expect(refusal?.message).toContain(`DATA_DIR ${dataDir} is in use by another process (pid ${owner.pid})`);
    // and the owner serves on, alone
    expect(await clientCount(owner)).toBe(1);
  }, STEP_TIMEOUT_MS);

  it('3. after the owner is killed with kill -9, the next server starts at once on the same DATA_DIR, with the data', async () => {
    // when the owner is killed, with no chance to release anything
    process.kill(owner.pid, 'SIGKILL');
    expect(await owner.exited).toBeNull();

    // then a new server starts on the same DATA_DIR and reads what the owner wrote
    successor = await start();
    expect(await clientCount(successor)).toBe(1);
  }, STEP_TIMEOUT_MS);

  it('4. SIGTERM stops the server promptly and leaves DATA_DIR private', async () => {
    // given a server that has served requests
    expect(await clientCount(successor)).toBe(1);

    // when it gets SIGTERM
    const sent = Date.now();
    process.kill(successor.pid, 'SIGTERM');

    // then it exits 0 within seconds, its files private
    expect(await successor.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(15_000);
    expect(openToOthers(dataDir)).toEqual([]);
  }, STEP_TIMEOUT_MS);

  it('5. a DATA_DIR left open by an earlier version is made private at start, with a warning', async () => {
    // given a DATA_DIR whose directories are 0755 and files 0644
    loosen(dataDir);
    expect(openToOthers(dataDir).length).toBeGreaterThan(100);

    // when a server starts on it
    const server = await start();

    // then it warned, naming the directory, and nothing is open to other users any more
    const warning = server.lines.find((line) => line.level === 40 && /was open to other users/.test(String(line.msg)));
    expect(warning).toMatchObject({ dataDir });
    expect(String(warning!.msg)).toMatch(/made \d+ directories 0700 and \d+ file\(s\) 0600/);
    expect(openToOthers(dataDir)).toEqual([]);
    expect(await clientCount(server)).toBe(1);
    await server.stop();
  }, STEP_TIMEOUT_MS);
});

describe('the first start of the embedded database (node dist/main.js)', () => {
  let root: string;
  const servers: ServerProcess[] = [];
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'onboarding-first-start-'));
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  /** `node dist/main.js` as an operator starts it, not waited for: its exit code and standard error. */
  function spawnServer(dataDir: string) {
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', CONTACT_DELIVERY: 'log', AUTH_JWT_SECRET: TEST_AUTH_SECRET, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it('killed while it creates the database, leaves nothing that stops the next start', async () => {
    const dataDir = path.join(root, 'killed');
    // given a first start, killed (kill -9) while the database is being created beside DATA_DIR/pglite
    const first = spawnServer(dataDir);
    const until = Date.now() + READY_TIMEOUT_MS;
    const creating = () => (existsSync(dataDir) ? readdirSync(dataDir).filter((name) => name.startsWith('pglite.creating-')) : []);
    while (creating().length === 0) {
      if (Date.now() > until) throw new Error(`no database being created in ${dataDir}: ${first.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    // then no half-made database is where the server looks for one
    expect(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(false);

    // when the server starts again, it creates the database afresh, serves, and the leftover is gone
    const server = await startServerProcess({ DATA_DIR: dataDir }, { readyTimeoutMs: READY_TIMEOUT_MS });
    servers.push(server);
    expect((await server.run(CreateClientDocument, { input: { firstName: 'Ada', lastName: 'Lovelace' } })).createClient.__typename).toBe('ClientPayload');
    expect(creating()).toEqual([]);
  }, STEP_TIMEOUT_MS);

  it('refuses a DATA_DIR/pglite that holds files but no database, naming it, and touches nothing in it', async () => {
    const dataDir = path.join(root, 'foreign');
    mkdirSync(path.join(dataDir, 'pglite'), { recursive: true });
    writeFileSync(path.join(dataDir, 'pglite', 'notes.txt'), 'not a database');

    const server = spawnServer(dataDir);

    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(/pglite holds files but no database \(no PG_VERSION\)/);
    expect(readdirSync(path.join(dataDir, 'pglite'))).toEqual(['notes.txt']);
  }, STEP_TIMEOUT_MS);
});
