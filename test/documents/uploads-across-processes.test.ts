import { AddDocumentShowingClientDocument, CreateClientDocument } from '../generated/graphql';
import { createdUpload, pdfOfSize, putBytes } from '../support/documents-helpers';
import { ServerProcess, serversOnOneDatabase } from '../support/server-process';
import { onPostgres } from '../support/test-database';

/** The same upload link on another server process: the signature covers the id and expiry only. */
const onServer = (url: string, server: ServerProcess) => `${server.url}${new URL(url).pathname}${new URL(url).search}`;

// Two `node dist/main.js` processes on one PostgreSQL database: an upload is single-use however
// its PUT and its addDocument are spread over them, at the same moment.
(onPostgres ? describe : describe.skip)('direct uploads across two server processes on one database (PostgreSQL only)', () => {
  const cluster = serversOnOneDatabase(2);

  it('takes an upload\'s bytes once and makes one document of it, when both processes are asked at once', async () => {
    const [a, b] = cluster.servers;
    const created = await a.run(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper' } });
    if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
    const clientId = created.createClient.client.id;
    const bytes = pdfOfSize(3 * 1024 * 1024);
    const upload = await createdUpload(a, clientId, bytes);

    // when both processes are sent the bytes at once
    const puts = await Promise.all([putBytes(onServer(upload.uploadUrl, a), bytes), putBytes(onServer(upload.uploadUrl, b), bytes)]);

    // then one took them and the other refused, with a code
    expect(puts.map((put) => put.status).sort()).toEqual([200, 409]);

    // and when both are asked to make the document at once, one does and the other says it is used
    const add = (server: ServerProcess) =>
      server.run(AddDocumentShowingClientDocument, { input: { clientId, type: 'PASSPORT', fileName: 'scan.pdf', contentType: 'application/pdf', uploadId: upload.uploadId } });
    const added = (await Promise.all([add(a), add(b)])).map((answer) => answer.addDocument);
    expect(added.map((answer) => answer.__typename).sort()).toEqual(['AddDocumentSuccess', 'ValidationError']);
    expect(added.find((answer) => answer.__typename === 'ValidationError')).toMatchObject({ fieldErrors: [{ path: ['input', 'uploadId'], code: 'UPLOAD_ALREADY_USED' }] });
  });
});
