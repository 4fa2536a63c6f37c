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

/** scripts/s3rver.js (plain JavaScript, shared with the bench). */
interface StartedS3rver {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}
const { startS3rver } = require('../../scripts/s3rver') as { startS3rver(bucket: string): Promise<StartedS3rver> };

/**
 * An in-process S3-compatible server (s3rver) on a free port, with one bucket. Sets nothing
 * global: set `env` in process.env for the SDK's default credential chain (see withS3Credentials)
 * or pass `credentials` to a client of your own. s3rver checks no signatures (scripts/s3rver.js):
 * tests here show URLs are well-formed and unexpired, not that S3 would accept them.
 */
export async function startS3Server(bucket = 'documents'): Promise<TestS3Server> {
  const { endpoint, accessKeyId, secretAccessKey, stop } = await startS3rver(bucket);
  return {
    endpoint,
    bucket,
    credentials: { accessKeyId, secretAccessKey },
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
    stop,
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
