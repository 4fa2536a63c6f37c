import { createApp } from './app';
import { ALL_STAFF_SCOPES, mintToken } from './auth/tokens';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const url = await app.listen();
  const database = config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  app.logger.info(
    { url: `${url}/graphql`, mode: config.environment, database, auth: config.auth.kind },
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
  stopOnSignals(app);
}

/** Apollo gives running requests 10 s; past this the process exits anyway instead of lingering. */
const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * SIGTERM or SIGINT stops the server: running requests finish, then the database closes and (on
 * PGlite) DATA_DIR is released. A shutdown that hangs still ends the process after a deadline,
 * and a second signal ends it at once: a server asked to stop never keeps running.
 */
function stopOnSignals(app: Awaited<ReturnType<typeof createApp>>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        app.logger.warn({ signal }, 'second signal while shutting down: exiting now');
        process.exit(1);
      }
      stopping = true;
      app.logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        app.logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish in time: exiting');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      app.stop().then(
        () => process.exit(0),
        (error) => {
          app.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
