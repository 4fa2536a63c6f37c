'use strict';
/**
 * Document uploads (issue 11) as an integrator sends them, on both paths:
 *   direct: createDocumentUpload (size, SHA-256) -> PUT the raw bytes to its uploadUrl -> addDocument(uploadId)
 *   base64: addDocument(contentBase64), the file base64 in the JSON body
 * Each path, in turn: one small upload to warm it up (not measured), 1 MiB PDFs one at a time,
 * 1 MiB PDFs several at once, then 10 MiB PDFs one at a time with the server's memory read around
 * each (VmHWM reset to the current RSS first, so the peak is that upload's own). Timed: the whole
 * flow of each upload. Then, untimed, every document is downloaded once (its downloadUrl) and its
 * SHA-256 checked against the file's.
 */

const { createHash, randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const { httpClient, runPool, summary } = require('./load');

const MiB = 1024 * 1024;
const PDF_HEADER = Buffer.from('%PDF-1.7\n');
const WARMUP_BYTES = 64 * 1024;

const USER_ERROR = '... on UserError { message } ... on ValidationError { fieldErrors { path code message } }';
const CREATE_UPLOAD = `mutation CreateUpload($input: CreateDocumentUploadInput!) {
  createDocumentUpload(input: $input) { __typename ... on DocumentUploadCreated { uploadId uploadUrl expiresAt } ${USER_ERROR} } }`;
const ADD_DOCUMENT = `mutation AddDocument($input: AddDocumentInput!) {
  addDocument(input: $input) { __typename ... on AddDocumentSuccess { document { id sizeBytes sha256 downloadUrl } } ${USER_ERROR} } }`;

/** A valid PDF of exactly `size` bytes (its header, then random bytes) with what each path sends for it. */
function pdfFile(size, clientId) {
  const bytes = randomBytes(size);
  PDF_HEADER.copy(bytes, 0);
  return { clientId, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const documentInput = (clientId) => ({ clientId, type: 'PASSPORT', fileName: 'passport.pdf', contentType: 'application/pdf' });

/** The JSON body of addDocument with the file in base64: built before the clock starts, as for the direct path's bytes. */
const base64Body = (file) => Buffer.from(JSON.stringify({ query: ADD_DOCUMENT, variables: { input: { ...documentInput(file.clientId), contentBase64: file.bytes.toString('base64') } } }));

/**
 * The two paths over keep-alive connections to the server at `baseUrl` (a GraphQL token with
 * clients:write; the upload and download links carry their own signatures).
 */
function uploadPaths(baseUrl, { token, connections }) {
  const client = httpClient(baseUrl, { connections, timeoutMs: 120_000 });
  const origin = new URL(baseUrl).origin;
  const graphqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const pathOf = (url) => {
    const parsed = new URL(url);
    if (parsed.origin !== origin) throw new Error(`${url}: not on the server ${origin} (presigned object-storage URLs are not benched)`);
    return parsed.pathname + parsed.search;
  };

  async function mutation(field, expected, body) {
    const { status, body: bytes } = await client.request('POST', '/graphql', body, graphqlHeaders);
    let json;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = { unparsable: bytes.toString('utf8').slice(0, 300) };
    }
    const result = json?.data?.[field];
    if (status !== 200 || json.errors || result?.__typename !== expected) {
      throw new Error(`${field}: HTTP ${status}, ${JSON.stringify(json.errors ?? result ?? json).slice(0, 400)}`);
    }
    return result;
  }
  const addDocument = (body) => mutation('addDocument', 'AddDocumentSuccess', body);

  return {
    /** create -> PUT -> addDocument; resolves with the document and each step's milliseconds. */
    async direct(file) {
      const t0 = performance.now();
      const created = await mutation(
        'createDocumentUpload',
        'DocumentUploadCreated',
        Buffer.from(JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { clientId: file.clientId, contentType: 'application/pdf', sizeBytes: file.bytes.length, sha256: file.sha256 } } })),
      );
      const t1 = performance.now();
      const put = await client.request('PUT', pathOf(created.uploadUrl), file.bytes, { 'content-type': 'application/pdf' });
      const answer = put.body.toString('utf8');
      if (put.status !== 200 || JSON.parse(answer).sha256 !== file.sha256) throw new Error(`PUT ${created.uploadUrl.split('?')[0]}: HTTP ${put.status} ${answer.slice(0, 300)}`);
      const t2 = performance.now();
      const added = await addDocument(Buffer.from(JSON.stringify({ query: ADD_DOCUMENT, variables: { input: { ...documentInput(file.clientId), uploadId: created.uploadId } } })));
      const t3 = performance.now();
      return { document: added.document, steps: { create: t1 - t0, put: t2 - t1, add: t3 - t2 } };
    },
    /** addDocument with the body `prepare` built; resolves with the document. */
    async base64(file) {
      const added = await addDocument(file.body);
      return { document: added.document, steps: {} };
    },
    /** The file's extra for a path, built before the clock starts. */
    prepare(path, file) {
      return path === 'base64' ? { ...file, body: base64Body(file) } : file;
    },
    /** GETs the document's downloadUrl; throws unless the bytes are the file's. */
    async verify(file, document) {
      if (document.sizeBytes !== file.bytes.length || document.sha256 !== file.sha256) {
        throw new Error(`document ${document.id}: the API says ${document.sizeBytes} bytes, SHA-256 ${document.sha256}; the file has ${file.bytes.length}, ${file.sha256}`);
      }
      const { status, body } = await client.request('GET', pathOf(document.downloadUrl));
      const sha256 = createHash('sha256').update(body).digest('hex');
      if (status !== 200 || sha256 !== file.sha256) throw new Error(`download of document ${document.id}: HTTP ${status}, ${body.length} bytes, SHA-256 ${sha256} (expected ${file.sha256})`);
    },
    close: client.close,
  };
}

/**
 * Runs the uploads on `server` (a started child, bench/processes.js) for clients `clientIds` (one
 * per concurrent upload: an upload takes its client's row lock). Plan: { small, large, concurrency }.
 * Resolves with, per path: runs (label, count, concurrency, MiB/s, latencies, server CPU per MiB,
 * step latencies) and the memory readings around the 10 MiB run; and how many downloads were checked.
 */
async function measureUploads({ server, token, clientIds, plan, progress = () => undefined }) {
  const paths = uploadPaths(server.url, { token, connections: plan.concurrency });
  const runs = [
    { label: '1 MiB', size: MiB, count: plan.small, concurrency: 1 },
    { label: '1 MiB', size: MiB, count: plan.concurrency * 2, concurrency: plan.concurrency },
    { label: '10 MiB', size: 10 * MiB, count: plan.large, concurrency: 1, memory: true },
  ];
  const result = { paths: {}, downloads: 0, peakReset: true };
  try {
    for (const path of ['direct', 'base64']) {
      const send = (file) => paths[path](file);
      const warm = paths.prepare(path, pdfFile(WARMUP_BYTES, clientIds[0]));
      await paths.verify(warm, (await send(warm)).document);
      const measured = [];
      for (const run of runs) {
        progress(`uploads, ${path}: ${run.count} x ${run.label}, ${run.concurrency} at a time`);
        const files = Array.from({ length: run.count }, (_, i) => paths.prepare(path, pdfFile(run.size, clientIds[i % clientIds.length])));
        const outcomes = new Array(files.length);
        // With memory (one at a time): RSS before each upload, and its peak (VmHWM, reset) and RSS after.
        const readings = [];
        const cpuFrom = server.cpuSeconds();
        const started = performance.now();
        const durations = await runPool(files.length, run.concurrency, async (i) => {
          const before = run.memory ? server.memory() : null;
          if (run.memory && !server.resetPeak()) result.peakReset = false;
          outcomes[i] = await send(files[i]);
          if (run.memory) readings.push({ before, after: server.memory() });
        });
        const seconds = (performance.now() - started) / 1000;
        const cpuSeconds = server.cpuSeconds() - cpuFrom;
        const mebibytes = (run.size * run.count) / MiB;
        const steps = {};
        for (const step of Object.keys(outcomes[0].steps)) steps[step] = summary(outcomes.map((outcome) => outcome.steps[step]));
        measured.push({
          ...run,
          ...summary(durations),
          perSecond: mebibytes / seconds,
          cpuMsPerMiB: (cpuSeconds * 1000) / mebibytes,
          steps,
          ...(run.memory ? { memory: memoryOf(readings) } : {}),
        });
        // Untimed: each document downloads as its file.
        for (const [i, file] of files.entries()) await paths.verify(file, outcomes[i].document);
        result.downloads += files.length;
      }
      result.paths[path] = measured;
    }
  } finally {
    paths.close();
  }
  return result;
}

/**
 * The memory of a run of uploads one at a time: RSS before the first and after the last, the
 * highest peak, and each upload's rise (its peak over the RSS just before it), in bytes.
 */
function memoryOf(readings) {
  return {
    before: readings[0].before.rss,
    after: readings.at(-1).after.rss,
    peak: Math.max(...readings.map(({ after }) => after.hwm)),
    rises: summary(readings.map(({ before, after }) => after.hwm - before.rss)),
    hwmSinceStart: readings.at(-1).after.hwm,
  };
}

/** An s3rver in this process (scripts/s3rver.js): the server child's DOCUMENT_STORAGE=s3 settings, and stop(). */
async function startS3rver(bucket = 'bench-documents') {
  const s3 = await require('../scripts/s3rver').startS3rver(bucket);
  return {
    env: {
      DOCUMENT_STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
    stop: () => s3.stop(),
  };
}

module.exports = { measureUploads, startS3rver };
