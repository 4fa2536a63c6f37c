import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { createTokenVerifier, loadOrCreateDevelopmentSecret } from './auth/tokens';
import type { Config } from './config';
import { Database, openDatabase } from './db/database';
import { DataDirectoryClaim, claimDataDirectory, openDataDirectoryWarning } from './db/data-directory';
import { IdempotencyKeys } from './db/idempotency-keys';
import { applyMigrations, readMigrations } from './db/migrations';
import { documentLinksBeforeExecution } from './graphql/access';
import { RequestContext, createRequestContext } from './graphql/context';
import { createErrorFormatter, serviceUnavailableStatus } from './graphql/error-masking';
import { idempotencyKeyScope, idempotencyPlugin } from './graphql/idempotency';
import { queryLimitProtection } from './graphql/limits';
import { requestOutcomes } from './graphql/request-outcome';
import { onboardingSchema } from './graphql/schema';
import { requireBearerToken, requireScope } from './http/authentication';
import { jsonBody, operationBodyLimit } from './http/body-limits';
import { oversizedJsonBody } from './http/oversized-body';
import { corsFor } from './http/cors';
import { documentDownloadHandler } from './http/document-downloads';
import { documentUploadHandler } from './http/document-uploads';
import { trustedDocumentsMiddleware } from './http/trusted-documents';
import { Logger, createLogger } from './logger';
import { ContactDelivery, LogContactDelivery, WebhookContactDelivery } from './modules/contacts/contact-delivery';
import { DocumentVault } from './modules/documents/document-encryption';
import { encryptClearDocuments } from './modules/documents/document-rekeying';
import { DatabaseDocumentStorage, DocumentStorage } from './modules/documents/document.storage';
import { S3DocumentStorage } from './modules/documents/s3-storage';
import { IntervalJob } from './operations/interval-job';
import type { OutboxDispatcher } from './modules/events/outbox-dispatcher';
import { createOutboxDispatcher } from './outbox';
import { Services, createServices } from './services';
import { checkDataKeys } from './modules/identifiers/data-key-check';
import { databaseChecks } from './operations/database-checks';
import { HealthChecks, livenessHandler, readinessHandler } from './operations/health';
import { Metrics } from './operations/metrics';
import { recordRequests } from './operations/request-log';
import { Closer, OpenWork, OpenWorkSnapshot } from './operations/shutdown';
import { keyRingFor } from './shared/keys';

/** Seams tests and embedders may replace; production uses the defaults. */
export interface AppOptions {
  clock?: () => Date;
  contactDelivery?: ContactDelivery;
  logger?: Logger;
}

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly services: Services;
  readonly logger: Logger;
  readonly httpServer: http.Server;
  /** What `/health/ready` checks; register more (a background worker, say) with `health.register`. */
  readonly health: HealthChecks;
  /** The Prometheus metrics (its `registry` takes more; the outbox's backlog and deliveries are read at scrape time). */
  readonly metrics: Metrics;
  /** Where /metrics is served when METRICS_PORT is set, once listening; else null. */
  readonly metricsUrl: string | null;
  /** Delivers events and contact codes after commit; started with the app, stopped by stop(). */
  readonly outbox: OutboxDispatcher;
  /** The generated development token secret (no AUTH_* setting, outside production), else null. */
  readonly developmentTokenSecret: Buffer | null;
  /**
   * The start-up pass that encrypts documents an earlier release stored in clear, running in the
   * background while the server serves; resolves with how many it encrypted.
   */
  readonly clearDocumentsEncrypted: Promise<number>;
  /** Registers something `stop` stops after the last request and before the database closes. */
  registerCloser(closer: Closer): void;
  /** What a stop in progress still waits for (requests, closers, the database close). */
  openWork(): OpenWorkSnapshot;
  /** Starts listening; port 0 picks a free one. Resolves to the server's base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops taking requests, lets running ones finish, stops the closers, then closes the database. */
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? (() => new Date());
  // The embedded database's directory: claimed (one owner) and private before anything is written there.
  const dataDirectory = claimEmbeddedDataDirectory(config, logger);
  try {
    return await assembleApp(config, options, logger, clock, dataDirectory);
  } catch (error) {
    dataDirectory?.release();
    throw error;
  }
}

function claimEmbeddedDataDirectory(config: Config, logger: Logger): DataDirectoryClaim | null {
  if (config.database.kind !== 'pglite' || config.database.dataDir === null) return null;
  const claim = claimDataDirectory(config.database.dataDir);
  const warning = openDataDirectoryWarning(claim);
  if (warning) logger.warn({ dataDir: claim.directory, directories: claim.fixedAtStart.directories.length, files: claim.fixedAtStart.files }, warning);
  return claim;
}

/** Everything else createApp does, once DATA_DIR (on PGlite) is this process's. */
async function assembleApp(
  config: Config,
  options: AppOptions,
  logger: Logger,
  clock: () => Date,
  dataDirectory: DataDirectoryClaim | null,
): Promise<App> {
  const keys = keyRingFor(config, (file) =>
    logger.warn({ file }, 'DATA_ENCRYPTION_KEY is not set: generated a development key. Set DATA_ENCRYPTION_KEY in production.'),
  );

  const developmentTokenSecret =
    config.auth.kind === 'development'
      ? loadOrCreateDevelopmentSecret(config.dataDir, (file) =>
          logger.warn({ file }, 'No AUTH_* setting: generated a development token secret. Configure AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_PUBLIC_KEY in production.'),
        )
      : null;
  const verifyToken = await createTokenVerifier(config.auth, () => developmentTokenSecret!);

  const migrations = readMigrations();
  // Without an event webhook nothing would send history events: the outbox trigger skips them.
  const database = await openDatabase({ ...config.database, clientEventOutbox: config.eventWebhook !== null });
  try {
    const session = await database.openSession();
    try {
      await applyMigrations(session, migrations, (message) => logger.info(message));
    } finally {
      await session.close();
    }
    const recorded = await checkDataKeys(database, keys);
    if (recorded.length > 0) logger.info({ keyIds: recorded }, 'recorded data key fingerprints in the database');
    // PGlite gives the files it unpacks 0666: private now that it has made them.
    dataDirectory?.tighten();
  } catch (error) {
    await database.close();
    throw error;
  }

  const metrics = new Metrics(database);
  const documentVault = new DocumentVault(keys);
  let stopping = false;
  const clearDocumentsEncrypted = encryptClearDocuments(database, documentVault, {
    stopRequested: () => stopping,
    onProgress: (done) => {
      if (done % 100 === 0) logger.info({ documents: done }, 'encrypting documents stored in clear by an earlier release');
    },
  }).then(
    (count) => {
      if (count > 0) logger.info({ documents: count, keyId: keys.current.id }, `encrypted ${count} document(s) stored in clear by an earlier release`);
      return count;
    },
    (error) => {
      // The rows stay readable in clear; the next start (or keys:rotate) tries again.
      logger.error({ err: error }, 'encrypting documents stored in clear failed');
      return 0;
    },
  );

  const documentStorage = documentStorageFor(config, database, logger);
  const contactDelivery = options.contactDelivery ?? contactDeliveryFor(config);
  const outbox = createOutboxDispatcher({ sql: database.sql, config, keys, contactDelivery, clock, logger });
  metrics.watchOutbox(outbox);
  const services = createServices({
    database,
    keys,
    policy: config.requirementPolicy,
    attemptLimits: config.attemptLimits,
    clock,
    documentStorage,
    committed: (eventTypes) => outbox.committed(eventTypes),
  });

  const app = express();
  app.disable('x-powered-by');
  // No ETags on answers (Express hashes every body for one by default): GraphQL answers are never
  // stored (Cache-Control: no-store below), and document downloads set their own.
  app.set('etag', false);
  const openWork = new OpenWork();
  app.use(openWork.countRequests());
  const httpServer = http.createServer(app);
  // Slow-body and slow-header connections are cut instead of held for Node's 5-minute default.
  httpServer.headersTimeout = 10_000;
  httpServer.requestTimeout = 60_000;
  // `Expect: 100-continue` (curl and many HTTP clients send it before a large body): Node would
  // answer "continue" at once; an upload says so only once its link, size and slot are checked
  // (documentUploadHandler), so the bytes of a refused upload are never sent.
  httpServer.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith('/uploads/')) res.writeContinue();
    app(req, res);
  });
  const limits = queryLimitProtection(config.queryLimits, config.introspection);
  // Idempotency-Key of mutations (src/graphql/idempotency.ts): a scope in front of Apollo, a plugin inside it.
  const idempotencyKeys = new IdempotencyKeys(database.sql, clock);
  const apollo = new ApolloServer<RequestContext>({
    schema: onboardingSchema(),
    introspection: config.introspection,
    // With introspection off, error messages do not suggest field names either.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    includeStacktraceInErrorResponses: config.exposeErrorDetails,
    formatError: createErrorFormatter(logger, config.exposeErrorDetails),
    // Apollo's automatic persisted queries let any caller register any document under its hash;
    // hashes are served from the trusted-documents manifest instead (src/http/trusted-documents.ts).
    persistedQueries: false,
    // Signals are ours (src/operations/shutdown.ts: drain, closers, database close, exit code).
    // Apollo's own handler (on unless NODE_ENV=test) stopped Apollo and re-sent the signal, which
    // read as a second signal: every SIGTERM exited 1 before the database closed.
    stopOnTerminationSignals: false,
    plugins: [
      ...limits.plugins,
      documentLinksBeforeExecution(),
      idempotencyPlugin(idempotencyKeys, logger),
      serviceUnavailableStatus(),
      requestOutcomes(),
      // No HTTP caching of GraphQL answers here (personal data, POST only): the cache-control
      // plugin, on by default, would wrap every resolver of every request for nothing.
      ApolloServerPluginCacheControlDisabled(),
      // Past SHUTDOWN_GRACE_MS the process exits 1 naming what was open (src/operations/shutdown.ts);
      // the drain waits a little longer, so it never cuts a request short of that.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs + 1000 }),
      config.environment === 'production' && !config.introspection
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
  await apollo.start();
  if (config.trustedDocuments) {
    const { file, byHash, only } = config.trustedDocuments;
    logger.info({ file, documents: byHash.size, only }, only ? 'trusted documents only' : 'trusted documents loaded');
  }

  const health = new HealthChecks(logger);
  for (const check of databaseChecks(database.sql, migrations.map((migration) => migration.name))) health.register(check);
  health.register({ name: 'outbox dispatcher', check: async () => outbox.isRunning || 'not running' });
  const storageReady = documentStorage.ready?.bind(documentStorage);
  if (storageReady) health.register({ name: 'document storage', check: () => storageReady().then(() => true) });
  // Outside authentication: load balancers and orchestrators probe these without a token.
  // `/health` and `/ready` are the names earlier releases answered on.
  app.get(['/health/live', '/health'], livenessHandler());
  app.get(['/health/ready', '/ready'], readinessHandler(health));
  const serveMetrics = async (_req: express.Request, res: express.Response) => {
    const { contentType, body } = await metrics.exposition();
    res.set('content-type', contentType).set('cache-control', 'no-store').send(body);
  };
  // With METRICS_PORT, /metrics is on that listener only (keep it off the public network);
  // without, it is on the main port for tokens with metrics:read.
  const metricsServer = config.metricsPort === null ? null : http.createServer(express().disable('x-powered-by').get('/metrics', serveMetrics));
  if (metricsServer === null) app.get('/metrics', requireBearerToken(verifyToken, logger, false), requireScope('metrics:read'), serveMetrics);
  app.get('/documents/:id/content', recordRequests(logger, metrics, 'DocumentDownload'), documentDownloadHandler(services, logger));
  // Browsers PUT files here straight from the page: CORS as for /graphql, with PUT.
  app.options('/uploads/:id', corsFor(config.cors, ['PUT', 'OPTIONS']), (_req: express.Request, res: express.Response) => void res.sendStatus(204));
  app.put('/uploads/:id', corsFor(config.cors, ['PUT', 'OPTIONS']), recordRequests(logger, metrics, 'DocumentUpload'), documentUploadHandler(services, logger));
  app.use(
    '/graphql',
    // Answers hold personal data: no browser or proxy keeps them (GET queries included).
    (_req: express.Request, res: express.Response, next: express.NextFunction) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    corsFor(config.cors),
    // A preflight is answered here, allowed origin or not; it never needs a token.
    (req: express.Request, res: express.Response, next: express.NextFunction) => (req.method === 'OPTIONS' ? void res.sendStatus(204) : next()),
    recordRequests(logger, metrics),
    requireBearerToken(verifyToken, logger, config.introspection || config.environment !== 'production'),
    // A body over the limit (an addDocument far over 10 MiB) is read without its long strings, so the
    // file is answered TOO_LARGE rather than 413; up to 4 times the limit (src/http/oversized-body.ts).
    oversizedJsonBody(config.bodyLimitBytes, 4 * config.bodyLimitBytes, config.queryLimits.maxTokens),
    jsonBody(config.bodyLimitBytes),
    ...(config.trustedDocuments ? [trustedDocumentsMiddleware(config.trustedDocuments, logger)] : []),
    operationBodyLimit(config.operationBodyLimitBytes, config.queryLimits.maxTokens),
    idempotencyKeyScope(idempotencyKeys),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        // Production always has PUBLIC_URL; the Host header only serves development, where it is the caller's own.
        const baseUrl = config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
        return createRequestContext(services, database.sql, baseUrl, req.record!, req.caller!);
      },
    }),
  );
  // Malformed JSON or an oversized body: a plain 4xx, never a stack trace.
  app.use((error: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'unexpected HTTP error');
    res.status(status).json({
      errors: [{ message: status === 413 ? 'Request body too large' : status === 500 ? 'Internal server error' : 'Bad request', extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  });

  outbox.start();
  const uploadSweep = new IntervalJob(config.uploadSweepIntervalMs, async () => {
    const swept = await services.documentUploads.sweepExpired();
    if (swept > 0) logger.info({ uploads: swept }, 'deleted expired uploads and their bytes');
  }, (error) => logger.error({ err: error }, 'sweeping expired uploads failed'));
  uploadSweep.start();
  let stopped = false;
  const closers: Closer[] = [];
  let metricsUrl: string | null = null;
  return {
    config,
    database,
    services,
    logger,
    httpServer,
    health,
    metrics,
    get metricsUrl() {
      return metricsUrl;
    },
    outbox,
    developmentTokenSecret,
    clearDocumentsEncrypted,
    registerCloser: (closer) => void closers.push(closer),
    openWork: () => openWork.snapshot(),
    async listen(port = config.port, host = config.host) {
      const url = await listenOn(httpServer, port, host);
      if (metricsServer) metricsUrl = `${await listenOn(metricsServer, config.metricsPort!, host)}/metrics`;
      return url;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping = true;
      await openWork.step('requests', async () => {
        await apollo.stop();
        if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
        if (metricsServer?.listening) {
          metricsServer.closeAllConnections();
          await new Promise((resolve) => metricsServer.close(resolve));
        }
      });
      // Deliveries under way finish (bounded by their timeouts); rows not yet sent wait in the outbox.
      await openWork.step('outbox dispatcher', () => outbox.stop());
      await openWork.step('upload sweep', () => uploadSweep.stop());
      documentStorage.close?.();
      await openWork.step('document encryption pass', () => clearDocumentsEncrypted);
      await Promise.all(closers.map((closer) => openWork.step(closer.name, () => closer.close())));
      await openWork.step('database close', () => database.close());
      dataDirectory?.tighten();
      dataDirectory?.release();
    },
  };
}

/** Resolves to the listener's base URL; port 0 picks a free one. */
function listenOn(server: http.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}

function documentStorageFor(config: Config, database: Database, logger: Logger): DocumentStorage {
  const storage = config.documentStorage;
  if (storage.kind === 'database') return new DatabaseDocumentStorage(database.prisma, database.driver);
  // The SDK's warnings only: it would log every command (info) and every failed one (error, with
  // its whole input), and failures are the adapter's callers' to report.
  const warnings = { trace() {}, debug() {}, info() {}, error() {}, warn: (...content: unknown[]) => logger.warn({ content }, 'object storage client warning') };
  return new S3DocumentStorage(storage, { logger: warnings });
}

function contactDeliveryFor(config: Config): ContactDelivery {
  const delivery = config.contactDelivery;
  switch (delivery.kind) {
    case 'log':
      return new LogContactDelivery();
    case 'webhook':
      return new WebhookContactDelivery(delivery.url, delivery.secret, delivery.timeoutMs);
  }
}
