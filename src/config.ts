import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_QUERY_LIMITS, QueryLimits } from './graphql/limits';
import { TrustedDocuments, loadTrustedDocumentsManifest } from './http/trusted-documents';
import { AttemptLimit, AttemptLimitSettings, DEFAULT_ATTEMPT_LIMITS } from './modules/limits/attempt-limits';
import { RequirementPolicy, parseRequirementPolicy } from './modules/verification/requirement-policy';
import { DataKey, KEY_ID_PATTERN } from './shared/keys';
import { DocumentStorageConfig, parseDocumentStorageConfig } from './modules/documents/storage-config';

export type Environment = 'development' | 'test' | 'production';

/**
 * How long PostgreSQL work may wait before it fails (and is answered SERVICE_UNAVAILABLE): a new
 * connection or a free one from the pool, one statement, one lock.
 */
export interface DatabaseTimeouts {
  connectMs: number;
  statementMs: number;
  lockMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 3000, statementMs: 30_000, lockMs: 10_000 };

export type DatabaseConfig = (
  /** `timeouts` unset: DEFAULT_DATABASE_TIMEOUTS. */
  /**
   * `preparedStatements` (default true): the driver's statements are prepared once per connection
   * (src/db/sql.ts); false for a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
   */
  | { kind: 'postgres'; url: string; poolSize: number; timeouts?: DatabaseTimeouts; preparedStatements?: boolean }
  /**
   * dataDir null: in memory (tests only). `image`: a data-directory image (PGlite's dumpDataDir) to
   * start from instead of running initdb: the test suite starts each in-memory database from one
   * migrated image, which takes a second where initdb takes five.
   */
  | { kind: 'pglite'; dataDir: string | null; image?: Blob }
) & {
  /**
   * Tests and the bench: let `Database.onStatement` see every SQL statement (the driver's, and
   * Prisma's query events, built for every statement). Off in the server, which never listens.
   */
  observeStatements?: boolean;
  /**
   * False when this server has no event webhook: its connections tell the outbox trigger not to
   * queue history events (onboarding.client_event_outbox = 'off'), which it would only discard.
   * Unset: queued, as for every other writer.
   */
  clientEventOutbox?: boolean;
};

/** How bearer tokens are verified; `development`: an HS256 secret generated into DATA_DIR (never in production). */
export type AuthConfig = (
  | { kind: 'secret'; secret: Buffer }
  | { kind: 'publicKey'; pem: string }
  | { kind: 'jwks'; url: string }
  | { kind: 'development' }
) & { issuer: string | null; audience: string | null };

/** Which browser origins may call the API: an exact list, or any http://localhost:* and http://127.0.0.1:* (development). */
export type CorsPolicy = { kind: 'origins'; origins: readonly string[] } | { kind: 'localhost' };

export type ContactDeliveryConfig =
  | { kind: 'log' }
  | { kind: 'webhook'; url: string; secret: string | null; timeoutMs: number };

/** EVENT_WEBHOOK_*: where history events go after commit (src/modules/events/). */
export interface EventWebhookConfig {
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface Config {
  environment: Environment;
  /** Detailed error messages to clients; only when NODE_ENV=development. */
  exposeErrorDetails: boolean;
  host: string;
  port: number;
  /** Absolute base URL clients reach this server on; derived from each request when null. */
  publicUrl: string | null;
  dataDir: string;
  database: DatabaseConfig;
  /** Master key (32 bytes) for identifier encryption, hashing, code hashing and URL signing; null: generate a development key in dataDir. */
  masterKey: Buffer | null;
  /** DATA_ENCRYPTION_KEYS: the key ring, current key first; wins over masterKey when set. */
  dataKeys: DataKey[] | null;
  requirementPolicy: RequirementPolicy;
  auth: AuthConfig;
  cors: CorsPolicy;
  contactDelivery: ContactDeliveryConfig;
  /** null: EVENT_WEBHOOK_URL unset, events are not sent anywhere. */
  eventWebhook: EventWebhookConfig | null;
  /** OUTBOX_SWEEP_INTERVAL_MS: how often the dispatcher looks for other instances' rows and retries. */
  outboxSweepIntervalMs: number;
  introspection: boolean;
  logLevel: string;
  /** Largest JSON body of an addDocument request (it carries the file). */
  bodyLimitBytes: number;
  /** Largest JSON body of any other operation. */
  operationBodyLimitBytes: number;
  queryLimits: QueryLimits;
  /** RATE_LIMIT_*: attempt limits on contact codes and identifiers, shared by every server on the database. */
  attemptLimits: AttemptLimitSettings;
  /** TRUSTED_DOCUMENTS_FILE (and _ONLY): the persisted-documents manifest; null when not set. */
  trustedDocuments: TrustedDocuments | null;
  /**
   * METRICS_PORT: /metrics on a listener of its own (on HOST, no token), and not on the main port;
   * null: /metrics on the main port, for tokens with the metrics:read scope.
   */
  metricsPort: number | null;
  /** SHUTDOWN_GRACE_MS: how long a stop may take before the process exits 1 anyway. */
  shutdownGraceMs: number;
  /** DOCUMENT_STORAGE and S3_*: where document bytes are stored (the database unless s3). */
  documentStorage: DocumentStorageConfig;
  /** UPLOAD_SWEEP_INTERVAL_MS: how often expired uploads are deleted with their bytes. */
  uploadSweepIntervalMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Parses the environment once, at start-up; every problem is reported together. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, parse: (raw: string) => T, fallback: T): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return fallback;
    }
  };

  const environment = read<Environment>('NODE_ENV', (raw) => {
    if (raw === 'development' || raw === 'test' || raw === 'production') return raw;
    throw new Error(`expected development, test or production, got "${raw}"`);
  }, 'development');
  const production = environment === 'production';

  const port = read('PORT', (raw) => parseInteger(raw, 0, 65535), 4000);
  const host = read('HOST', (raw) => raw, '0.0.0.0');
  const publicUrl = read<string | null>('PUBLIC_URL', (raw) => {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http(s) URL');
    return raw.replace(/\/+$/, '');
  }, null);
  if (production && publicUrl === null) {
    problems.push('PUBLIC_URL: required in production (the https:// address clients reach this server on; document links are built from it, never from the Host header)');
  }
  const dataDir = path.resolve(read('DATA_DIR', (raw) => raw, './data'));
  const auth = parseAuth(env, production, problems);
  const cors = read<CorsPolicy>('CORS_ORIGINS', parseCorsOrigins, production ? { kind: 'origins', origins: [] } : { kind: 'localhost' });

  const poolSize = read('DATABASE_POOL_SIZE', (raw) => parseInteger(raw, 1, 1000), 10);
  const databaseUrl = read<string | null>('DATABASE_URL', (raw) => {
    const url = new URL(raw);
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
      throw new Error('must be a postgresql:// URL');
    }
    return raw;
  }, null);
  const timeout = (name: string, fallback: number) => read(name, (raw) => parseInteger(raw, 100, 3_600_000), fallback);
  const timeouts: DatabaseTimeouts = {
    connectMs: timeout('DATABASE_CONNECT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.connectMs),
    statementMs: timeout('DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs),
    lockMs: timeout('DATABASE_LOCK_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.lockMs),
  };
  const preparedStatements = read('DATABASE_PREPARED_STATEMENTS', parseBoolean, true);
  const database: DatabaseConfig = databaseUrl
    ? { kind: 'postgres', url: databaseUrl, poolSize, timeouts, preparedStatements }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };

  const masterKey = read<Buffer | null>('DATA_ENCRYPTION_KEY', parseMasterKey, null);
  const dataKeys = read<DataKey[] | null>('DATA_ENCRYPTION_KEYS', parseDataKeys, null);
  const keyGiven = (name: string) => Boolean(env[name]?.trim());
  if (keyGiven('DATA_ENCRYPTION_KEY') && keyGiven('DATA_ENCRYPTION_KEYS')) {
    problems.push('DATA_ENCRYPTION_KEYS: set either DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEYS, not both');
  }
  if (production && !keyGiven('DATA_ENCRYPTION_KEY') && !keyGiven('DATA_ENCRYPTION_KEYS')) {
    problems.push('DATA_ENCRYPTION_KEY: required in production (32 random bytes, base64 or hex), or DATA_ENCRYPTION_KEYS');
  }
  if (production) {
    const weak = [
      ...(masterKey && isUnsafeDataKey(masterKey) ? ['DATA_ENCRYPTION_KEY'] : []),
      ...(dataKeys ?? []).filter((key) => isUnsafeDataKey(key.secret)).map((key) => `DATA_ENCRYPTION_KEYS (key ${key.id})`),
    ];
    for (const name of weak) {
      problems.push(`${name}: a published example key or a weak one (repeated bytes); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`);
    }
  }

  const requirementPolicy = read('REQUIREMENT_POLICY', parseRequirementPolicy, parseRequirementPolicy(null));
  const policyFile = env.REQUIREMENT_POLICY_FILE?.trim();
  const policy = policyFile
    ? read('REQUIREMENT_POLICY_FILE', (file) => parseRequirementPolicy(readFileSync(file, 'utf8')), requirementPolicy)
    : requirementPolicy;

  const contactDelivery = parseContactDelivery(env, production, problems);
  const eventWebhook = parseEventWebhook(env, production, problems);
  const outboxSweepIntervalMs = read('OUTBOX_SWEEP_INTERVAL_MS', (raw) => parseInteger(raw, 100, 3_600_000), 5000);

  const introspection = read('GRAPHQL_INTROSPECTION', parseBoolean, !production);
  const logLevel = read('LOG_LEVEL', (raw) => {
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)) throw new Error(`unknown level "${raw}"`);
    return raw;
  }, environment === 'test' ? 'warn' : 'info');
  const bodyLimitBytes = read('BODY_LIMIT_BYTES', (raw) => parseInteger(raw, 1024, 1024 ** 3), 16 * 1024 * 1024);
  const trustedDocumentsOnly = read('TRUSTED_DOCUMENTS_ONLY', parseBoolean, false);
  if (trustedDocumentsOnly && !env.TRUSTED_DOCUMENTS_FILE?.trim()) {
    problems.push('TRUSTED_DOCUMENTS_ONLY: needs TRUSTED_DOCUMENTS_FILE, the persisted-documents manifest to trust');
  }
  const trustedDocuments = read<TrustedDocuments | null>('TRUSTED_DOCUMENTS_FILE', (file) => ({ file, byHash: loadTrustedDocumentsManifest(file), only: trustedDocumentsOnly }), null);
  const operationBodyLimitBytes = read('OPERATION_BODY_LIMIT_BYTES', (raw) => parseInteger(raw, 1024, 1024 ** 3), 1024 * 1024);
  const limit = (name: string, fallback: number) => read(name, (raw) => parseInteger(raw, 1, 1_000_000), fallback);
  const queryLimits: QueryLimits = {
    maxAliases: limit('GRAPHQL_MAX_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
    maxDepth: limit('GRAPHQL_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
    maxTokens: limit('GRAPHQL_MAX_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
    maxDirectives: limit('GRAPHQL_MAX_DIRECTIVES', DEFAULT_QUERY_LIMITS.maxDirectives),
    maxCost: limit('GRAPHQL_MAX_COST', DEFAULT_QUERY_LIMITS.maxCost),
  };
  const attemptLimit = (name: string, fallback: AttemptLimit) => read(name, (raw) => parseAttemptLimit(raw, fallback), fallback);
  const attemptLimits: AttemptLimitSettings = {
    contactRequestsPerClient: attemptLimit('RATE_LIMIT_CONTACT_REQUESTS_PER_CLIENT', DEFAULT_ATTEMPT_LIMITS.contactRequestsPerClient),
    contactRequestsPerDestination: attemptLimit('RATE_LIMIT_CONTACT_REQUESTS_PER_DESTINATION', DEFAULT_ATTEMPT_LIMITS.contactRequestsPerDestination),
    wrongContactCodes: attemptLimit('RATE_LIMIT_WRONG_CONTACT_CODES', DEFAULT_ATTEMPT_LIMITS.wrongContactCodes),
    identifierAdds: attemptLimit('RATE_LIMIT_IDENTIFIER_ADDS', DEFAULT_ATTEMPT_LIMITS.identifierAdds),
    documentUploads: attemptLimit('RATE_LIMIT_DOCUMENT_UPLOADS', DEFAULT_ATTEMPT_LIMITS.documentUploads),
  };

  const metricsPort = read<number | null>('METRICS_PORT', (raw) => parseInteger(raw, 0, 65535), null);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port) problems.push('METRICS_PORT: must differ from PORT (it keeps /metrics off the public port)');
  const shutdownGraceMs = read('SHUTDOWN_GRACE_MS', (raw) => parseInteger(raw, 100, 3_600_000), 10_000);
  const documentStorage = parseDocumentStorageConfig(env, problems);
  const uploadSweepIntervalMs = read('UPLOAD_SWEEP_INTERVAL_MS', (raw) => parseInteger(raw, 1000, 86_400_000), 60_000);

  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    environment,
    exposeErrorDetails: environment === 'development' && env.NODE_ENV === 'development',
    host,
    port,
    publicUrl,
    dataDir,
    database,
    masterKey,
    dataKeys,
    requirementPolicy: policy,
    auth,
    cors,
    contactDelivery,
    eventWebhook,
    outboxSweepIntervalMs,
    introspection,
    logLevel,
    bodyLimitBytes,
    operationBodyLimitBytes: Math.min(operationBodyLimitBytes, bodyLimitBytes),
    queryLimits,
    attemptLimits,
    trustedDocuments,
    metricsPort,
    documentStorage,
    uploadSweepIntervalMs,
    shutdownGraceMs,
  };
}

function parseContactDelivery(env: Env, production: boolean, problems: string[]): ContactDeliveryConfig {
  const kind = env.CONTACT_DELIVERY?.trim() || (production ? '' : 'log');
  if (kind === 'log') {
    if (production && env.CONTACT_DELIVERY_LOG_IN_PRODUCTION?.trim() !== 'true') {
      problems.push('CONTACT_DELIVERY: log prints one-time codes to standard output; in production set CONTACT_DELIVERY=webhook, or CONTACT_DELIVERY_LOG_IN_PRODUCTION=true if that is really wanted');
    }
    return { kind: 'log' };
  }
  if (kind === 'webhook') {
    const url = env.CONTACT_WEBHOOK_URL?.trim();
    if (!url) {
      problems.push('CONTACT_WEBHOOK_URL: required when CONTACT_DELIVERY=webhook');
      return { kind: 'log' };
    }
    try {
      new URL(url);
    } catch {
      problems.push('CONTACT_WEBHOOK_URL: not a URL');
    }
    const timeoutMs = Number(env.CONTACT_WEBHOOK_TIMEOUT_MS ?? 5000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) problems.push('CONTACT_WEBHOOK_TIMEOUT_MS: a positive integer');
    return { kind: 'webhook', url, secret: env.CONTACT_WEBHOOK_SECRET?.trim() || null, timeoutMs };
  }
  if (kind === '') {
    problems.push('CONTACT_DELIVERY: required in production (webhook, or log to print codes to standard output)');
  } else {
    problems.push(`CONTACT_DELIVERY: expected log or webhook, got "${kind}"`);
  }
  return { kind: 'log' };
}

/** EVENT_WEBHOOK_URL (optional), its EVENT_WEBHOOK_SECRET (required with it) and EVENT_WEBHOOK_TIMEOUT_MS. */
function parseEventWebhook(env: Env, production: boolean, problems: string[]): EventWebhookConfig | null {
  const url = env.EVENT_WEBHOOK_URL?.trim();
  const secret = env.EVENT_WEBHOOK_SECRET?.trim() ?? '';
  if (!url) {
    if (secret) problems.push('EVENT_WEBHOOK_SECRET: set without EVENT_WEBHOOK_URL');
    return null;
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
    if (production && parsed.protocol !== 'https:') problems.push('EVENT_WEBHOOK_URL: must be an https:// URL in production');
  } catch {
    problems.push('EVENT_WEBHOOK_URL: not an http(s) URL');
  }
  if (!secret) problems.push('EVENT_WEBHOOK_SECRET: required when EVENT_WEBHOOK_URL is set (receivers check each event\'s signature with it)');
  else if (production && ([...secret].length < 32 || new Set(secret).size < 8)) {
    problems.push('EVENT_WEBHOOK_SECRET: too short or too weak for production (at least 32 random characters)');
  }
  let timeoutMs = 5000;
  try {
    timeoutMs = env.EVENT_WEBHOOK_TIMEOUT_MS?.trim() ? parseInteger(env.EVENT_WEBHOOK_TIMEOUT_MS.trim(), 100, 120_000) : 5000;
  } catch (error) {
    problems.push(`EVENT_WEBHOOK_TIMEOUT_MS: ${(error as Error).message}`);
  }
  return { url, secret, timeoutMs };
}

function parseInteger(raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const WINDOW_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5/1h` (at most 5 per hour), `10/24h`, `15/30m`; a bare count keeps the default window. */
function parseAttemptLimit(raw: string, fallback: AttemptLimit): AttemptLimit {
  const match = /^(\d+)(?:\s*\/\s*(\d+)\s*([smhd]))?$/.exec(raw);
  const max = match ? Number(match[1]) : NaN;
  const windowMs = match?.[2] ? Number(match[2]) * WINDOW_UNITS_MS[match[3]] : fallback.windowMs;
  if (!match || !Number.isSafeInteger(max) || max < 1 || max > 1_000_000 || windowMs < 1000 || windowMs > 366 * WINDOW_UNITS_MS.d) {
    throw new Error(`expected attempts per window such as 5/1h or 10/24h (1 to 1000000 attempts, a window of 1s to 366d; units s, m, h, d), got "${raw}"`);
  }
  return { max, windowMs };
}

function parseBoolean(raw: string): boolean {
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`expected true or false, got "${raw}"`);
}

/** `id:key,id:key,...`, current key first; messages never repeat key material. */
function parseDataKeys(raw: string): DataKey[] {
  const keys = raw.split(',').map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    if (colon < 0 || !KEY_ID_PATTERN.test(id)) {
      throw new Error(`entry ${index + 1} is not id:key (ids are 1-16 characters a-z, 0-9 and -)`);
    }
    try {
      return { id, secret: parseMasterKey(entry.slice(colon + 1).trim()) };
    } catch (error) {
      throw new Error(`key ${id}: ${(error as Error).message}`);
    }
  });
  keys.forEach((key, index) => {
    const earlier = keys.slice(0, index).find((other) => other.id === key.id || other.secret.equals(key.secret));
    if (earlier?.id === key.id) throw new Error(`key id ${key.id} is given twice`);
    if (earlier) throw new Error(`keys ${earlier.id} and ${key.id} are the same key`);
  });
  return keys;
}

function parseMasterKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes, as 64 hex digits or base64');
  return key;
}

/** Exactly one of AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_PUBLIC_KEY; none means a development secret, refused in production. */
function parseAuth(env: Env, production: boolean, problems: string[]): AuthConfig {
  const given = (name: string) => env[name]?.trim() || null;
  const claims = { issuer: given('AUTH_ISSUER'), audience: given('AUTH_AUDIENCE') };
  const kinds = ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY'].filter((name) => given(name) !== null);
  if (kinds.length > 1) {
    problems.push(`${kinds.join(', ')}: set only one way of verifying tokens`);
    return { kind: 'development', ...claims };
  }
  const secret = given('AUTH_JWT_SECRET');
  if (secret !== null) {
    if ([...secret].length < 32) problems.push('AUTH_JWT_SECRET: must be at least 32 characters (e.g. 32 random bytes, base64)');
    else if (new Set(secret).size < 8) problems.push('AUTH_JWT_SECRET: too weak (too few distinct characters); use random bytes');
    return { kind: 'secret', secret: Buffer.from(secret, 'utf8'), ...claims };
  }
  const jwksUrl = given('AUTH_JWKS_URL');
  if (jwksUrl !== null) {
    try {
      const url = new URL(jwksUrl);
      const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new Error();
    } catch {
      problems.push('AUTH_JWKS_URL: must be an https:// URL (http:// only for localhost)');
    }
    return { kind: 'jwks', url: jwksUrl, ...claims };
  }
  const pem = given('AUTH_PUBLIC_KEY');
  if (pem !== null) {
    const text = pem.replace(/\\n/g, '\n');
    try {
      const key = createPublicKey(text);
      const ok = key.asymmetricKeyType === 'rsa' || (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1');
      if (!ok) throw new Error();
    } catch {
      problems.push('AUTH_PUBLIC_KEY: must be an RSA or P-256 public key in PEM form (-----BEGIN PUBLIC KEY-----)');
    }
    return { kind: 'publicKey', pem: text, ...claims };
  }
  if (production) problems.push('AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_PUBLIC_KEY: production needs one way of verifying bearer tokens');
  return { kind: 'development', ...claims };
}

/** `https://app.example.com,https://admin.example.com`: exact origins, no wildcards, no paths. */
function parseCorsOrigins(raw: string): CorsPolicy {
  const origins = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`"${origin}" is not an origin such as https://app.example.com`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin || url.hostname.includes('*')) {
      throw new Error(`"${origin}" is not an origin such as https://app.example.com (scheme, host and port only, no trailing slash)`);
    }
  }
  return { kind: 'origins', origins };
}

/** Keys shipped in this repository as examples (docker-compose.yml once carried one): never for real data. */
const PUBLISHED_EXAMPLE_KEYS = ['REPLACE+ME+demo+key+not+secret+000000000000='].map((key) => Buffer.from(key, 'base64'));

/** A published example, or far fewer distinct bytes than 32 random bytes have (about 30). */
export function isUnsafeDataKey(key: Buffer): boolean {
  return PUBLISHED_EXAMPLE_KEYS.some((example) => example.equals(key)) || new Set(key).size < 16;
}
