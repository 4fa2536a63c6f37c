import { createApp } from './app';
import { ALL_STAFF_SCOPES, mintToken } from './auth/tokens';
import { ConfigError, loadConfig } from './config';
import { stopOnSignals } from './operations/shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const url = await app.listen();
  const database = config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  app.logger.info(
    { url: `${url}/graphql`, metricsUrl: app.metricsUrl, mode: config.environment, database, auth: config.auth.kind },
    `onboarding API ready at ${url}/graphql: ${config.environment} mode, ${database}`,
  );
  if (app.developmentTokenSecret) {
    // Development only (no AUTH_* setting): a token to start with, and how to make others.
    const token = await mintToken(app.developmentTokenSecret, {
      scopes: ALL_STAFF_SCOPES,
      subject: 'developer',
      ttlSeconds: 12 * 3600,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    });
    app.logger.info(
      { token, expiresIn: '12h', scopes: ALL_STAFF_SCOPES.join(' ') },
      'development staff token (every scope): send it as "Authorization: Bearer <token>"; make others with npm run token -- --scope "clients:read" [--sub ID] [--ttl 1h]',
    );
  }
  stopOnSignals(app, config.shutdownGraceMs);
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
