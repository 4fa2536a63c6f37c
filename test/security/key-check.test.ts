/**
 * The database remembers which data keys it was written with; a server with another key refuses
 * to start instead of silently missing duplicates and failing to decrypt what is there.
 */
import { addSsn, createClient } from '../support/fixtures';
import { SharedDatabase, createSharedDatabase, newDataKey, refusedToStart, startWithKeys } from '../support/data-keys';
import { startServerProcess } from '../support/server-process';
import { TestApp } from '../support/test-app';
import { onPostgres } from '../support/test-database';

const where = onPostgres ? 'PostgreSQL' : 'PGlite on disk';
/** Steps start several apps; on a busy machine PGlite on disk takes many seconds to start. */
const STEP_TIMEOUT_MS = 240_000;

describe(`the key check on ${where}`, () => {
  const databases: SharedDatabase[] = [];
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await Promise.allSettled(databases.map((database) => database.drop()));
  }, 60_000);

  async function database() {
    const created = await createSharedDatabase();
    databases.push(created);
    return created;
  }
  async function start(on: SharedDatabase, ring: ReturnType<typeof newDataKey>[]) {
    const app = await startWithKeys(on, ring);
    apps.push(app);
    return app;
  }

  it('records the key on the first start, restarts with the same key, and refuses a second key naming the setting', async () => {
    // given a database first started with key k1 (what DATA_ENCRYPTION_KEY alone gives)
    const db = await database();
    const k1 = newDataKey('k1');
    const first = await start(db, [k1]);
    const fingerprints = await first.app.database.prisma.dataKey.findMany();
    expect(fingerprints.map((row) => row.keyId)).toEqual(['k1']);
    // the record is a fingerprint, not the key nor anything derived for use
    expect(fingerprints[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprints[0].fingerprint).not.toContain(k1.secret.toString('hex'));
    await first.stop();

    // when it restarts with the same key, then it starts
    const again = await start(db, [k1]);
    await again.stop();

    // when another key is configured on the same database, then it refuses, naming both settings
    const error = await refusedToStart(db, [newDataKey('k1')]);
    expect(error.message).toMatch(/DATA_ENCRYPTION_KEY\b/);
    expect(error.message).toMatch(/DATA_ENCRYPTION_KEYS/);
    expect(error.message).toMatch(/key k1 is not the key this database recorded as k1/);
    // and never shows key material
    expect(error.message).not.toContain(k1.secret.toString('base64'));
  }, STEP_TIMEOUT_MS);

  it('refuses a ring that shares no key with the database, a known key under another id, and dropping a key still in use', async () => {
    // given a database written under key a
    const db = await database();
    const a = newDataKey('a');
    const first = await start(db, [a]);
    await addSsn(first, (await createClient(first)).id);
    await first.stop();

    // then a ring of unknown keys is refused
    expect((await refusedToStart(db, [newDataKey('b'), newDataKey('c')])).message).toMatch(/none of the configured keys \(b, c\) is a key this database was written with \(a\)/);
    // and key a under another id (its identifiers name a) is refused
    expect((await refusedToStart(db, [{ id: 'renamed', secret: a.secret }])).message).toMatch(/key renamed is the key this database knows as a/);
    // and a ring with a new key but without a, while identifiers are under a, is refused
    const b = newDataKey('b');
    expect((await refusedToStart(db, [b])).message).toMatch(/1 identifier\(s\) are still under key a, which is not configured/);

    // but adding b in front of a starts, and records b
    const rotated = await start(db, [b, a]);
    expect((await rotated.app.database.prisma.dataKey.findMany({ orderBy: { keyId: 'asc' } })).map((row) => row.keyId)).toEqual(['a', 'b']);
    await rotated.stop();
    // and from then on b must stay b
    expect((await refusedToStart(db, [newDataKey('b'), a])).message).toMatch(/key b is not the key this database recorded as b/);
  }, STEP_TIMEOUT_MS);

  it('refuses a first key-checked start whose key cannot decrypt the identifiers already there (a database from before key records)', async () => {
    // given a database with identifiers under k1 but no key recorded (as the previous release left it)
    const db = await database();
    const k1 = newDataKey('k1');
    const first = await start(db, [k1]);
    await addSsn(first, (await createClient(first)).id);
    await first.app.database.prisma.dataKey.deleteMany();
    await first.stop();

    // then another k1 is refused, and the right one is accepted and recorded
    expect((await refusedToStart(db, [newDataKey('k1')])).message).toMatch(/key k1 cannot decrypt the identifiers this database already holds/);
    const again = await start(db, [k1]);
    expect(await again.app.database.prisma.dataKey.count()).toBe(1);
    await again.stop();
  }, STEP_TIMEOUT_MS);

  (onPostgres ? it : it.skip)('lets only one of two servers starting at once with different keys on an empty database record its key', async () => {
    // given an empty PostgreSQL database
    const db = await database();

    // when two apps with different keys start at the same moment
    const results = await Promise.allSettled([startWithKeys(db, [newDataKey('k1')]), startWithKeys(db, [newDataKey('k1')])]);
    for (const result of results) if (result.status === 'fulfilled') apps.push(result.value);

    // then exactly one starts, the other is refused, and one key is recorded
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(String(refused.reason)).toMatch(/DATA_ENCRYPTION_KEY/);
    const started = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<TestApp>;
    expect(await started.value.app.database.prisma.dataKey.count()).toBe(1);
  }, STEP_TIMEOUT_MS);

  it('makes node dist/main.js exit 1 with the reason on standard error', async () => {
    // given a database whose key is recorded
    const db = await database();
    const first = await start(db, [newDataKey('k1')]);
    await first.stop();

    // when the server process starts with another DATA_ENCRYPTION_KEY, then it exits, saying why
    const other = newDataKey('k1').secret.toString('base64');
    await expect(startServerProcess({ ...db.env, DATA_ENCRYPTION_KEY: other }, { readyTimeoutMs: 30_000 })).rejects.toThrow(
      /server exited \(1\)[\s\S]*Failed to start: The data encryption keys do not match this database\. Set DATA_ENCRYPTION_KEY/,
    );
  }, STEP_TIMEOUT_MS);
});
