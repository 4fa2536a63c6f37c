/**
 * DOCUMENT_STORAGE and S3_*: where document bytes are stored (document.storage.ts). The database
 * is the default; `s3` puts them in an S3-compatible bucket (s3-storage.ts). Credentials are not
 * configured here: the AWS SDK reads them from its standard chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, the instance or container role...).
 */

/** What S3DocumentStorage needs besides credentials. */
export interface S3StorageConfig {
  bucket: string;
  /** null: AWS S3 itself (the endpoint follows the region); otherwise an S3-compatible service's URL. */
  endpoint: string | null;
  region: string;
  /** Path-style URLs (endpoint/bucket/key), which most S3-compatible services need. */
  forcePathStyle: boolean;
  /** Clients may upload straight to the bucket through presigned URLs. */
  directUploads: boolean;
}

export type DocumentStorageConfig = { kind: 'database' } | ({ kind: 's3' } & S3StorageConfig);

type Env = Record<string, string | undefined>;

/** The variables that only mean something with DOCUMENT_STORAGE=s3. */
const S3_VARIABLES = ['S3_BUCKET', 'S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'S3_DIRECT_UPLOADS'] as const;

/**
 * Reads DOCUMENT_STORAGE (database or s3; database when unset), and with s3: S3_BUCKET (required),
 * S3_ENDPOINT (an http(s) URL; unset: AWS), S3_REGION (else AWS_REGION, else us-east-1),
 * S3_FORCE_PATH_STYLE and S3_DIRECT_UPLOADS (true or false; false when unset). Every problem is
 * pushed onto `problems` as "NAME: message"; S3_* set without DOCUMENT_STORAGE=s3 is one, so a
 * misconfiguration never silently leaves documents in the database.
 */
export function parseDocumentStorageConfig(env: Env, problems: string[]): DocumentStorageConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? null : raw;
  };
  const kind = value('DOCUMENT_STORAGE')?.toLowerCase() ?? 'database';
  if (kind !== 'database' && kind !== 's3') {
    problems.push(`DOCUMENT_STORAGE: expected database or s3, got "${value('DOCUMENT_STORAGE')}"`);
    return { kind: 'database' };
  }
  if (kind === 'database') {
    for (const name of S3_VARIABLES) {
      if (value(name) !== null) problems.push(`${name}: set DOCUMENT_STORAGE=s3 to use object storage`);
    }
    return { kind: 'database' };
  }

  const bucket = value('S3_BUCKET');
  if (bucket === null) {
    problems.push('S3_BUCKET: required when DOCUMENT_STORAGE=s3 (the bucket documents are stored in)');
  } else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(bucket)) {
    problems.push(`S3_BUCKET: expected a bucket name (such as onboarding-documents), not a URL or path, got "${bucket}"`);
  }

  let endpoint: string | null = null;
  const rawEndpoint = value('S3_ENDPOINT');
  if (rawEndpoint !== null) {
    try {
      const url = new URL(rawEndpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new Error();
      endpoint = rawEndpoint.replace(/\/+$/, '');
    } catch {
      problems.push(`S3_ENDPOINT: expected an http(s) URL without credentials or query (such as https://minio.internal:9000), got "${rawEndpoint}"`);
    }
  }

  let region = 'us-east-1';
  const regionVariable = value('S3_REGION') !== null ? 'S3_REGION' : value('AWS_REGION') !== null ? 'AWS_REGION' : null;
  if (regionVariable !== null) {
    const raw = value(regionVariable)!;
    if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(raw)) region = raw;
    else problems.push(`${regionVariable}: expected a region name (such as eu-west-1), got "${raw}"`);
  }

  const flag = (name: string): boolean => {
    const raw = value(name);
    if (raw === null) return false;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}: expected true or false, got "${raw}"`);
    return false;
  };

  return {
    kind: 's3',
    bucket: bucket ?? '',
    endpoint,
    region,
    forcePathStyle: flag('S3_FORCE_PATH_STYLE'),
    directUploads: flag('S3_DIRECT_UPLOADS'),
  };
}
