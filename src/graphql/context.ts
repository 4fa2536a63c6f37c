import type { PrismaClient } from '../generated/prisma/client';
import type { Services } from '../services';
import { Loaders, createLoaders } from './loaders';

/** Who is calling. Access control (JWT scopes, self-service tokens) will fill this in. */
export type Caller = { kind: 'anonymous' } | { kind: 'self'; clientId: string };

/** Everything a resolver may use, built once per request. */
export interface RequestContext {
  services: Services;
  loaders: Loaders;
  caller: Caller;
  /** Absolute base URL of this server as the caller reaches it, for download links. */
  baseUrl: string;
  requestId: string;
}

export function createRequestContext(services: Services, prisma: PrismaClient, baseUrl: string, requestId: string): RequestContext {
  return { services, loaders: createLoaders(prisma), caller: { kind: 'anonymous' }, baseUrl, requestId };
}
