/**
 * npm run token -- --scope "clients:read clients:write" [--sub ID] [--ttl 1h]
 *
 * Mints an HS256 token from AUTH_JWT_SECRET, or, with no AUTH_* setting outside production, from the
 * development secret the server generated into DATA_DIR. Prints only the token, so it can be used
 * as TOKEN=$(npm run --silent token -- --scope self --sub <client id>).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { STAFF_SCOPES, SELF_SCOPE, Scope } from './caller';
import { loadOrCreateDevelopmentSecret, mintToken } from './tokens';

const USAGE = 'usage: npm run token -- --scope "<scopes>" [--sub <subject>] [--ttl <30m|1h|7d|seconds>]';

function parseTtl(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) throw new Error(`--ttl "${raw}" is not a duration such as 30m, 1h or 7d`);
  const seconds = Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > 30 * 86_400) throw new Error('--ttl must be from 1 second to 30 days');
  return seconds;
}

async function main(argv: string[]): Promise<void> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(USAGE);
    options.set(argv[i].slice(2), argv[i + 1]);
  }
  const unknown = [...options.keys()].filter((name) => !['scope', 'sub', 'ttl'].includes(name));
  if (unknown.length > 0 || !options.has('scope')) throw new Error(USAGE);
  const scopes = options.get('scope')!.split(/[\s,]+/).filter(Boolean);
  const known: string[] = [...STAFF_SCOPES, SELF_SCOPE];
  const bad = scopes.filter((scope) => !known.includes(scope));
  if (bad.length > 0) throw new Error(`unknown scope(s) ${bad.join(', ')}; known: ${known.join(' ')}`);
  if (scopes.includes(SELF_SCOPE) && !options.has('sub')) throw new Error('a self token needs --sub <client id>');

  const config = loadConfig();
  let secret: Buffer;
  if (config.auth.kind === 'secret') {
    secret = config.auth.secret;
  } else if (config.auth.kind === 'development') {
    if (!existsSync(path.join(config.dataDir, 'development-jwt.secret'))) {
      process.stderr.write(`note: generated a development token secret in ${config.dataDir}; the server will use it too\n`);
    }
    secret = loadOrCreateDevelopmentSecret(config.dataDir, () => undefined);
  } else {
    throw new Error('tokens are minted by your identity provider when AUTH_JWKS_URL or AUTH_PUBLIC_KEY is set');
  }
  const token = await mintToken(secret, {
    scopes: scopes as Scope[],
    subject: options.get('sub') ?? 'developer',
    ttlSeconds: parseTtl(options.get('ttl') ?? '1h'),
    issuer: config.auth.issuer,
    audience: config.auth.audience,
  });
  process.stdout.write(`${token}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `token: ${(error as Error).message}`}\n`);
  process.exit(1);
});
