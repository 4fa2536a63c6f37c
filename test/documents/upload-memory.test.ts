/**
 * A 10 MiB upload through the server (PUT /uploads/:id, then addDocument, then a download) raises
 * the server process's resident memory by less than 30 MB at its peak: the bytes stream through
 * in chunks, never whole. Measured on a server process of its own on the suite's database, from
 * /proc: the peak (VmHWM) is reset just before the upload (clear_refs), so it is this upload's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AddDocumentShowingClientDocument } from '../generated/graphql';
import { createdUpload, download, pdfOfSize, putBytes } from '../support/documents-helpers';
import { createClient } from '../support/fixtures';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { createEmptyPostgresDatabase } from '../support/test-database';

const MiB = 1024 * 1024;

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

describe('a 10 MiB upload through the server', () => {
  let server: ServerProcess;
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-upload-memory-'));
    database = process.env.TEST_DATABASE_URL ? await createEmptyPostgresDatabase(process.env.TEST_DATABASE_URL) : undefined;
    server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: database?.url }, { seedDatabase: !database });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Upload, addDocument, download: the whole round trip of one file. */
  async function roundTrip(clientId: string, bytes: Buffer) {
    const upload = await createdUpload(server, clientId, bytes);
    expect((await putBytes(upload.uploadUrl, bytes)).status).toBe(200);
    const { addDocument } = await server.run(AddDocumentShowingClientDocument, {
      input: { clientId, type: 'PASSPORT', fileName: 'scan.pdf', contentType: 'application/pdf', uploadId: upload.uploadId },
    });
    if (addDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(addDocument));
    const downloaded = await download(addDocument.document.downloadUrl);
    expect(downloaded.body.equals(bytes)).toBe(true);
  }

  it('raises its resident memory by less than 30 MB, once the server has served one such file', async () => {
    const client = await createClient(server);
    // a served server: one file of the size through every step first (code compiled, pools and
    // allocator arenas grown to their working size, which stays with the process)
    await roundTrip(client.id, pdfOfSize(10 * MiB));

    const raised: number[] = [];
    for (let i = 0; i < 3; i++) {
      const bytes = pdfOfSize(10 * MiB);
      writeFileSync(`/proc/${server.pid}/clear_refs`, '5'); // resets VmHWM to the current VmRSS
      const before = memoryOf(server.pid);
      await roundTrip(client.id, bytes);
      raised.push(memoryOf(server.pid).peak - before.rss);
    }

    process.stdout.write(`10 MiB upload, add and download: peak RSS raised by ${raised.map((bytes) => (bytes / MiB).toFixed(1)).join(', ')} MiB\n`);
    expect(Math.max(...raised)).toBeLessThan(30 * 1000 * 1000);
  }, 120_000);
});
