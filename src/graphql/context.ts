import { Caller, actorOf } from '../auth/caller';
import type { Actor } from '../shared/actor';
import type { Sql } from '../db/sql';
import type { RequestRecord } from '../operations/request-log';
import type { Services } from '../services';
import { Loaders, createLoaders } from './loaders';

/** Everything a resolver may use, built once per request. */
export interface RequestContext {
  services: Services;
  loaders: Loaders;
  /** Who is calling, from the verified bearer token. */
  caller: Caller;
  /** The caller as domain services see it. */
  actor: Actor;
  /** Absolute base URL of this server as clients reach it, for download links. */
  baseUrl: string;
  requestId: string;
  /** What the request's log line and metrics will say; the GraphQL layer adds operation and outcome. */
  request: RequestRecord;
}

export function createRequestContext(services: Services, sql: Sql, baseUrl: string, request: RequestRecord, caller: Caller): RequestContext {
  return { services, loaders: createLoaders(sql), caller, actor: actorOf(caller), baseUrl, requestId: request.id, request };
}
