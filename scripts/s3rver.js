/**
 * An S3-compatible server in the calling process (s3rver, a devDependency) on a free port,
 * storing in a fresh temporary directory, with one bucket: for the tests (test/support/s3-server.ts)
 * and `BENCH_DOCUMENT_STORAGE=s3` (bench/uploads.js). Its built-in account is S3RVER/S3RVER.
 *
 * s3rver does not check SigV4 signatures (header or presigned): it only checks that the access key
 * id exists and, for presigned URLs, X-Amz-Date + X-Amz-Expires. Requests without any signature are
 * accepted too.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function startS3rver(bucket) {
  const S3rver = require('s3rver');
  const directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

module.exports = { startS3rver };
