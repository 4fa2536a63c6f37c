/**
 * What someone with the database's files or a dump of it learns: neither identifier values nor
 * document bytes, in any of the encodings a dump or a data file might hold them in.
 * On PostgreSQL: `pg_dump` of the database. On PGlite: every file under DATA_DIR.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createSharedDatabase, SharedDatabase } from '../support/data-keys';
import { addPendingDocument, pngWithText } from '../support/documents-helpers';
import { PNG_BYTES, addSsn, createClient, randomSsn } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';
import { onPostgres } from '../support/test-database';

/**
 * Byte strings that would betray `secret`: itself, its hex (as pg_dump writes bytea, either case)
 * and its base64 at each of the three alignments it can start at inside longer base64 (the
 * characters at the edges, which depend on the neighbouring bytes, left out).
 */
function tracesOf(secret: string): Array<{ encoding: string; bytes: Buffer }> {
  const raw = Buffer.from(secret);
  const traces = [
    { encoding: 'text', bytes: raw },
    { encoding: 'hex', bytes: Buffer.from(raw.toString('hex')) },
    { encoding: 'HEX', bytes: Buffer.from(raw.toString('hex').toUpperCase()) },
  ];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString('base64');
    const start = offset === 0 ? 0 : Math.ceil((offset * 4) / 3) + 1;
    const end = encoded.replace(/=+$/, '').length - 2;
    traces.push({ encoding: `base64+${offset}`, bytes: Buffer.from(encoded.slice(start, end)) });
  }
  return traces;
}

/** The traces of each secret found in `haystack`, e.g. ["ssn as hex"]. */
function tracesFound(haystack: Buffer, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([name, secret]) =>
    tracesOf(secret)
      .filter((trace) => haystack.includes(trace.bytes))
      .map((trace) => `${name} as ${trace.encoding}`),
  );
}

/** A last name no other test writes, to prove the dump or the files hold the data at all. */
const uniqueName = () => `Zq${randomBytes(6).toString('hex').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)])}`;

/** Writes a client with an SSN and a document carrying a marker; returns what must not leak. */
async function writeSecrets(t: TestApp) {
  const lastName = uniqueName();
  const ssn = randomSsn();
  const marker = `SECRET-SCAN-${randomBytes(8).toString('hex')}`;
  const client = await createClient(t, { lastName });
  await addSsn(t, client.id, ssn);
  await addPendingDocument(t, client.id, { contentBase64: pngWithText(PNG_BYTES, 'Comment', marker).toString('base64') });
  return { lastName, secrets: { 'SSN digits': ssn.replace(/-/g, ''), 'SSN as typed': ssn, 'document marker': marker } };
}

(onPostgres ? describe : describe.skip)('a pg_dump of the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('holds no identifier value and no document bytes, in clear, hex or base64', async () => {
    // given a client with an SSN and a document whose bytes carry a marker
    const { lastName, secrets } = await writeSecrets(t);

    // when the database is dumped (plain SQL, as a backup would)
    const url = (t.app.config.database as { url: string }).url;
    const { stdout: dump } = await promisify(execFile)('pg_dump', ['--no-owner', '--dbname', url], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' });

    // then the dump is of the data (the client's name is there), but no secret is, in any encoding
    expect(dump.includes(Buffer.from(lastName))).toBe(true);
    expect(dump.includes(Buffer.from('COPY public.document_blobs'))).toBe(true);
    expect(tracesFound(dump, secrets)).toEqual([]);
  });
});

(onPostgres ? describe.skip : describe)('the embedded database\'s files', () => {
  let db: SharedDatabase;
  beforeAll(async () => {
    db = await createSharedDatabase();
  });
  afterAll(() => db.drop());

  it('hold no identifier value and no document bytes, in clear, hex or base64', async () => {
    // given a client with an SSN and a document whose bytes carry a marker, written to PGlite on disk
    const t = await startTestApp({ database: db });
    const { lastName, secrets } = await writeSecrets(t);
    // (stopping closes the database, which writes everything to its files)
    await t.stop();

    // when every file under DATA_DIR is read
    const dataDir = path.dirname(db.config.kind === 'pglite' ? db.config.dataDir! : '');
    const files: string[] = [];
    const visit = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const entry = path.join(dir, name);
        if (statSync(entry).isDirectory()) visit(entry);
        else files.push(entry);
      }
    };
    visit(dataDir);

    // then the files hold the data (the client's name is there), but no secret, in any encoding
    const contents = files.map((file) => ({ file: path.relative(dataDir, file), bytes: readFileSync(file) }));
    expect(contents.some(({ bytes }) => bytes.includes(Buffer.from(lastName)))).toBe(true);
    expect(contents.flatMap(({ file, bytes }) => tracesFound(bytes, secrets).map((found) => `${found} in ${file}`))).toEqual([]);
  });
});
