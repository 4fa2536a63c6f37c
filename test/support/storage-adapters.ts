import type { DocumentStorageConfig } from '../../src/modules/documents/storage-config';
import { TestS3Server, startS3Server, withS3Credentials } from './s3-server';

/** One storage adapter as a test file runs against it: what to start first, and the app's setting. */
export interface StorageAdapterUnderTest {
  name: 'database' | 's3';
  start(): Promise<void>;
  stop(): Promise<void>;
  config(): DocumentStorageConfig;
}

const database: StorageAdapterUnderTest = {
  name: 'database',
  start: async () => undefined,
  stop: async () => undefined,
  config: () => ({ kind: 'database' }),
};

/** S3-compatible object storage: an s3rver started by the test, credentials through the SDK's default chain. */
function objectStorage(directUploads = false): StorageAdapterUnderTest & { server(): TestS3Server } {
  let server: TestS3Server | null = null;
  let restore: (() => void) | null = null;
  return {
    name: 's3',
    async start() {
      server = await startS3Server();
      restore = withS3Credentials(server);
    },
    async stop() {
      restore?.();
      await server?.stop();
    },
    config: () => ({ kind: 's3', bucket: server!.bucket, endpoint: server!.endpoint, region: 'us-east-1', forcePathStyle: true, directUploads }),
    server: () => server!,
  };
}

/** Every adapter, for `describe.each`: the database (the default) and S3-compatible object storage. */
export const STORAGE_ADAPTERS: StorageAdapterUnderTest[] = [database, objectStorage()];

export { objectStorage };
