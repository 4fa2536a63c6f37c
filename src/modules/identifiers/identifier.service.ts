import type { Client, Identifier, PrismaClient } from '../../generated/prisma/client';
import type { IdentifierType } from '../../generated/prisma/enums';
import type { Tx } from '../../db/transaction';
import { Actor, actsOn } from '../../shared/actor';
import {
  ClientNotFound,
  NotFound,
  RateLimited,
  Result,
  ValidationFailure,
  childFailure,
  fail,
  isUuid,
  notFound,
  ok,
  rateLimited,
  validationFailure,
} from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { ClientChanges } from '../clients/client-changes';
import { AttemptLimits } from '../limits/attempt-limits';
import { insertUnlessHeld } from './identifier-rows';
import { IdentifierVault, NEEDS_EXPIRY, checkIssuingCountry, normaliseIdentifierValue } from './identifier-values';

export interface AddIdentifierData {
  clientId: string;
  type: IdentifierType;
  value: string;
  issuingCountry?: string | null;
  expiresOn?: string | null;
}

/** An ACTIVE identifier with the same type, issuing country and value exists (on this or another client). */
export interface DuplicateIdentifier {
  kind: 'duplicateIdentifier';
  identifierType: IdentifierType;
}
const duplicateIdentifier = (identifierType: IdentifierType): DuplicateIdentifier => ({ kind: 'duplicateIdentifier', identifierType });

export class IdentifierService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: ClientChanges,
    private readonly vault: IdentifierVault,
    private readonly limits: AttemptLimits,
  ) {}

  /**
   * Adds an identifier. Attempts are limited per client and counted whatever their outcome (a
   * refused value or a duplicate counts too): the duplicate answer says whether someone holds a
   * value, so unlimited tries would let a caller search for one.
   */
  async add(
    actor: Actor,
    input: AddIdentifierData,
  ): Promise<Result<{ client: Client; identifier: Identifier }, ValidationFailure | ClientNotFound | DuplicateIdentifier | RateLimited>> {
    const result = await this.changes.apply<Identifier, RateLimited | ValidationFailure | DuplicateIdentifier>(actor, input.clientId, async ({ tx, client, now }) => {
      const parsed = parseIdentifier(input, now);
      // Hashes of the value under every key of the ring: while keys are being rotated an ACTIVE
      // identifier may be hashed under any of them, and each must block the same value. Their
      // locks are taken in the statement that counts the attempt, before the insert reads.
      const hashes = parsed.ok ? this.vault.uniquenessHashes(input.type, parsed.value.issuingCountry, parsed.value.value) : [];
      const refused = await this.limits.admit(tx, [this.limits.identifierAddsOf(client.id)], now, identifierValueLocks(hashes.map((h) => h.hash)));
      if (refused) {
        const { retryAfterSeconds } = refused;
        return fail(rateLimited(retryAfterSeconds, `Too many identifiers were added to this client; try again in ${retryAfterSeconds} seconds.`));
      }
      // From here on a refusal keeps the counted attempt (and writes nothing else).
      if (!parsed.ok) return { ...parsed, keepWrites: true };
      const { value, issuingCountry, expiresOn } = parsed.value;
      const [current, ...others] = hashes;
      const identifier = await insertUnlessHeld(tx, {
        clientId: client.id,
        type: input.type,
        issuingCountry,
        valueEncrypted: new Uint8Array(this.vault.encrypt(input.type, value)),
        hash: current,
        otherHashes: others.map((h) => h.hash),
        last4: value.slice(-4),
        expiresOn,
        createdAt: now,
      });
      if (!identifier) return { ...fail(duplicateIdentifier(input.type)), keepWrites: true };
      return { ok: true, value: identifier, events: [{ type: 'IDENTIFIER_ADDED', detail: { identifierId: identifier.id, type: identifier.type } }] };
    });
    return result.ok ? ok({ client: result.value.client, identifier: result.value.value }) : result;
  }

  async deactivate(actor: Actor, id: string): Promise<Result<{ client: Client }, NotFound>> {
    const owner = isUuid(id) ? await this.prisma.identifier.findUnique({ where: { id }, select: { clientId: true } }) : null;
    if (!owner || !actsOn(actor, owner.clientId)) return fail(notFound('identifier', id));
    const result = await this.changes.apply(actor, owner.clientId, async ({ tx, now }) => {
      const deactivated = await tx.$executeRaw`
        UPDATE identifiers SET status = 'INACTIVE', deactivated_at = ${now}::timestamptz WHERE id = ${id}::uuid AND status = 'ACTIVE'`;
      // Already inactive: nothing changes, and saying so again is not an error.
      if (deactivated === 0) return { ok: true, value: undefined, events: [] };
      return { ok: true, value: undefined, events: [{ type: 'IDENTIFIER_DEACTIVATED', detail: { identifierId: id } }] };
    });
    if (!result.ok) return fail(childFailure(result.failure, 'identifier', id));
    return ok({ client: result.value.client });
  }
}

/** The input rules of an identifier: every problem at once, or the normalised value, country and expiry. */
function parseIdentifier(
  input: AddIdentifierData,
  now: Date,
): Result<{ value: string; issuingCountry: string | null; expiresOn: Date | null }, ValidationFailure> {
  const errors = new FieldErrors();
  const at = (field: string) => ['input', field];
  const value = normaliseIdentifierValue(errors, at('value'), input.type, input.value);
  const issuingCountry =
    rules.isBlank(input.issuingCountry)
      ? null
      : rules.countryCode(errors, at('issuingCountry'), input.issuingCountry!);
  if (issuingCountry !== undefined) checkIssuingCountry(errors, at('issuingCountry'), input.type, issuingCountry);
  let expiresOn: Date | null | undefined = null;
  if (input.expiresOn != null) {
    expiresOn = rules.futureOrTodayDate(errors, at('expiresOn'), input.expiresOn, now);
  } else if (NEEDS_EXPIRY.includes(input.type)) {
    errors.add(at('expiresOn'), 'REQUIRED', `expiresOn is required for a ${input.type}.`);
  }
  if (!errors.isEmpty || value === undefined || issuingCountry === undefined || expiresOn === undefined) {
    return fail(validationFailure(errors.list));
  }
  return ok({ value, issuingCountry, expiresOn });
}

/** Advisory locks for identifier values live in their own key space (the two-int form). */
const IDENTIFIER_VALUE_LOCKS = 0x1d_0001;

/**
 * Makes concurrent adds of one value take turns until commit, whichever key each server hashes
 * with first: every add locks the value's hashes under all keys, in one global order (no
 * deadlock), before it looks for an ACTIVE holder. The lock id is 32 bits of the hash; a rare
 * collision only makes two unrelated adds wait for each other.
 */
function identifierValueLocks(hashes: readonly string[]): Array<[number, number]> {
  const ids = [...new Set(hashes.map((hash) => Buffer.from(hash.slice(0, 8), 'hex').readInt32BE()))].sort((a, b) => a - b);
  return ids.map((id) => [IDENTIFIER_VALUE_LOCKS, id]);
}
