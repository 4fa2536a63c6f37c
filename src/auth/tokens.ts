/**
 * Bearer tokens: verification (jose, algorithms pinned to the configured kind, `exp` required,
 * 30 s clock tolerance) and, for development and tests, minting HS256 tokens.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JWTPayload, SignJWT, createRemoteJWKSet, errors, importSPKI, jwtVerify } from 'jose';
import type { AuthConfig } from '../config';
import { isUuid } from '../shared/result';
import { Caller, SELF_SCOPE, STAFF_SCOPES, Scope, StaffScope } from './caller';

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

export type TokenVerifier = (token: string) => Promise<Caller>;

const CLOCK_TOLERANCE_SECONDS = 30;

export async function createTokenVerifier(auth: AuthConfig, developmentSecret: () => Buffer): Promise<TokenVerifier> {
  const claims = { issuer: auth.issuer ?? undefined, audience: auth.audience ?? undefined, clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'] };
  let verify: (token: string) => Promise<JWTPayload>;
  switch (auth.kind) {
    case 'secret':
    case 'development': {
      const secret = auth.kind === 'secret' ? auth.secret : developmentSecret();
      verify = async (token) => (await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] })).payload;
      break;
    }
    case 'publicKey': {
      const algorithm = publicKeyAlgorithm(auth.pem);
      const key = await importSPKI(auth.pem, algorithm);
      verify = async (token) => (await jwtVerify(token, key, { ...claims, algorithms: [algorithm] })).payload;
      break;
    }
    case 'jwks': {
      const keys = createRemoteJWKSet(new URL(auth.url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
      verify = async (token) => (await jwtVerify(token, keys, { ...claims, algorithms: ['RS256', 'ES256'] })).payload;
      break;
    }
  }
  const verified = new VerifiedTokens();
  return async (token) => {
    const known = verified.get(token, Date.now());
    if (known) return known;
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('The bearer token has expired.');
      if (error instanceof errors.JOSEError || error instanceof TypeError) throw new AuthenticationError('The bearer token is not valid.');
      throw error;
    }
    const caller = callerOf(payload);
    verified.add(token, caller, payload.exp!, Date.now());
    return caller;
  };
}

/**
 * Tokens verified in the last minute, with their callers: an app sends the same token with every
 * request, and checking its signature and claims each time was ~2.5% of a mutation's CPU. A token
 * is remembered until its `exp` (no clock tolerance) and at most VERIFIED_TOKEN_MAX_AGE_MS, so a
 * key taken out of a JWKS stops its tokens within a minute; only valid tokens are kept, at most
 * VERIFIED_TOKENS (the oldest goes first), and a lookup needs the whole token, byte for byte.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly capacity = VERIFIED_TOKENS,
    private readonly maxAgeMs = VERIFIED_TOKEN_MAX_AGE_MS,
  ) {}

  get(token: string, now: number): Caller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  add(token: string, caller: Caller, expSeconds: number, now: number): void {
    const until = Math.min(expSeconds * 1000, now + this.maxAgeMs);
    if (until <= now) return;
    this.entries.delete(token);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { caller, until });
  }

  get size(): number {
    return this.entries.size;
  }
}

const VERIFIED_TOKENS = 10_000;
const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

/** RS256 for an RSA key, ES256 for a P-256 key; anything else is refused at start. */
export function publicKeyAlgorithm(pem: string): 'RS256' | 'ES256' {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('must be an RSA or P-256 (EC) public key in PEM (SPKI) form');
}

/** Scopes from `scope` (space-separated) or `scp` (an array, or a string); unknown ones are ignored. */
export function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  const list = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
  return new Set(list.filter((scope) => scope !== ''));
}

function callerOf(payload: JWTPayload): Caller {
  const scopes = scopesOf(payload);
  if (scopes.has(SELF_SCOPE)) {
    // A customer's token names their client; anything else in it grants nothing more.
    if (typeof payload.sub !== 'string' || !isUuid(payload.sub)) throw new AuthenticationError('A self-service token needs its client id as sub.');
    return { kind: 'self', clientId: payload.sub.toLowerCase() };
  }
  const staffScopes = new Set(STAFF_SCOPES.filter((scope) => scopes.has(scope)));
  return { kind: 'staff', subject: typeof payload.sub === 'string' ? payload.sub : 'unknown', scopes: staffScopes };
}

export interface MintOptions {
  scopes: readonly Scope[];
  subject?: string;
  /** Lifetime in seconds. */
  ttlSeconds?: number;
  issuer?: string | null;
  audience?: string | null;
}

/** An HS256 token, as the development secret (or AUTH_JWT_SECRET) signs them. */
export async function mintToken(secret: Buffer, options: MintOptions): Promise<string> {
  const jwt = new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'developer')
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(secret);
}

export const ALL_STAFF_SCOPES: readonly StaffScope[] = STAFF_SCOPES;

/** Outside production with no auth configured: a random HS256 secret generated once into DATA_DIR. */
export function loadOrCreateDevelopmentSecret(dataDir: string, onCreate: (file: string) => void): Buffer {
  const file = path.join(dataDir, 'development-jwt.secret');
  if (existsSync(file)) {
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (secret.length < 32) throw new Error(`${file} does not hold a 32-byte base64 secret`);
    return secret;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  onCreate(file);
  return secret;
}
