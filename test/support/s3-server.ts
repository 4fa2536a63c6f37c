import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The part of s3rver (no type definitions) used here. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export interface TestS3Server {
  /** http://127.0.0.1:<port>: use with forcePathStyle. */
  endpoint: string;
  bucket: string;
  /** What s3rver accepts (its built-in account); the adapter reads credentials from the standard AWS chain. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The same, as the environment variables the SDK's default chain reads. */
  env: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };
  stop(): Promise<void>;
}

/**
 * An in-process S3-compatible server (s3rver) on a free port, storing in a fresh temporary
 * directory, with one bucket. Sets nothing global: set `env` in process.env for the SDK's default
 * credential chain (see withS3Credentials) or pass `credentials` to a client of your own.
 *
 * s3rver does not check SigV4 signatures (header or presigned): it only checks the access key id
 * exists and, for presigned URLs, X-Amz-Date + X-Amz-Expires. Requests without any signature are
 * accepted too. So tests here show URLs are well-formed and unexpired, not that S3 would accept them.
 */
export async function startS3Server(bucket = 'documents'): Promise<TestS3Server> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (as the default credential chain reads them) to
 * the server's, and returns a function that puts back what was there.
 */
export function withS3Credentials(server: Pick<TestS3Server, 'env'>): () => void {
  const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
  Object.assign(process.env, server.env);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
