import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequirementPolicy, parseRequirementPolicy } from './modules/verification/requirement-policy';
import { DataKey, KEY_ID_PATTERN } from './shared/keys';

export type Environment = 'development' | 'test' | 'production';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize: number }
  | { kind: 'pglite'; dataDir: string | null }; // null: in memory (tests only)

export type ContactDeliveryConfig =
  | { kind: 'log' }
  | { kind: 'webhook'; url: string; secret: string | null; timeoutMs: number };

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
  contactDelivery: ContactDeliveryConfig;
  introspection: boolean;
  logLevel: string;
  bodyLimitBytes: number;
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
  const dataDir = path.resolve(read('DATA_DIR', (raw) => raw, './data'));

  const poolSize = read('DATABASE_POOL_SIZE', (raw) => parseInteger(raw, 1, 1000), 10);
  const databaseUrl = read<string | null>('DATABASE_URL', (raw) => {
    const url = new URL(raw);
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
      throw new Error('must be a postgresql:// URL');
    }
    return raw;
  }, null);
  const database: DatabaseConfig = databaseUrl
    ? { kind: 'postgres', url: databaseUrl, poolSize }
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

  const requirementPolicy = read('REQUIREMENT_POLICY', parseRequirementPolicy, parseRequirementPolicy(null));
  const policyFile = env.REQUIREMENT_POLICY_FILE?.trim();
  const policy = policyFile
    ? read('REQUIREMENT_POLICY_FILE', (file) => parseRequirementPolicy(readFileSync(file, 'utf8')), requirementPolicy)
    : requirementPolicy;

  const contactDelivery = parseContactDelivery(env, production, problems);

  const introspection = read('GRAPHQL_INTROSPECTION', parseBoolean, !production);
  const logLevel = read('LOG_LEVEL', (raw) => {
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)) throw new Error(`unknown level "${raw}"`);
    return raw;
  }, environment === 'test' ? 'warn' : 'info');
  const bodyLimitBytes = read('BODY_LIMIT_BYTES', (raw) => parseInteger(raw, 1024, 1024 ** 3), 16 * 1024 * 1024);

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
    contactDelivery,
    introspection,
    logLevel,
    bodyLimitBytes,
  };
}

function parseContactDelivery(env: Env, production: boolean, problems: string[]): ContactDeliveryConfig {
  const kind = env.CONTACT_DELIVERY?.trim() || (production ? '' : 'log');
  if (kind === 'log') return { kind: 'log' };
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

function parseInteger(raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
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
