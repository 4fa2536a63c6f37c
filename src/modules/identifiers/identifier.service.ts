import type { Client, Identifier, PrismaClient } from '../../generated/prisma/client';
import type { IdentifierType } from '../../generated/prisma/enums';
import { violatedUniqueConstraint } from '../../db/transaction';
import { Result, fail, isUuid, ok } from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { ClientChanges } from '../clients/client-changes';
import { IdentifierVault, NEEDS_EXPIRY, checkIssuingCountry, normaliseIdentifierValue } from './identifier-values';

export interface AddIdentifierData {
  clientId: string;
  type: IdentifierType;
  value: string;
  issuingCountry?: string | null;
  expiresOn?: string | null;
}

export class IdentifierService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: ClientChanges,
    private readonly vault: IdentifierVault,
    private readonly clock: () => Date,
  ) {}

  async add(input: AddIdentifierData): Promise<Result<{ client: Client; identifier: Identifier }>> {
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const value = normaliseIdentifierValue(errors, at('value'), input.type, input.value);
    const issuingCountry =
      input.issuingCountry == null || input.issuingCountry.trim() === ''
        ? null
        : rules.countryCode(errors, at('issuingCountry'), input.issuingCountry);
    if (issuingCountry !== undefined) checkIssuingCountry(errors, at('issuingCountry'), input.type, issuingCountry);
    let expiresOn: Date | null | undefined = null;
    if (input.expiresOn != null) {
      expiresOn = rules.futureOrTodayDate(errors, at('expiresOn'), input.expiresOn, this.clock());
    } else if (NEEDS_EXPIRY.includes(input.type)) {
      errors.add(at('expiresOn'), 'REQUIRED', `expiresOn is required for a ${input.type}.`);
    }
    if (!errors.isEmpty || value === undefined || issuingCountry === undefined || expiresOn === undefined) {
      return fail({ kind: 'validation', fieldErrors: errors.list });
    }

    try {
      const result = await this.changes.apply(input.clientId, async ({ tx, client, now }) => {
        const identifier = await tx.identifier.create({
          data: {
            clientId: client.id,
            type: input.type,
            issuingCountry,
            valueEncrypted: new Uint8Array(this.vault.encrypt(input.type, value)),
            valueHash: this.vault.uniquenessHash(input.type, issuingCountry, value),
            last4: value.slice(-4),
            expiresOn,
            createdAt: now,
          },
        });
        return { ok: true, value: identifier, events: [{ type: 'IDENTIFIER_ADDED', detail: { identifierId: identifier.id, type: identifier.type } }] };
      });
      return result.ok ? ok({ client: result.value.client, identifier: result.value.value }) : result;
    } catch (error) {
      // The partial unique index is the rule's enforcer, also between concurrent requests.
      if (violatedUniqueConstraint(error) === 'identifiers_one_active_per_value') {
        return fail({ kind: 'duplicateIdentifier', identifierType: input.type });
      }
      throw error;
    }
  }

  async deactivate(id: string): Promise<Result<Client>> {
    const owner = isUuid(id) ? await this.prisma.identifier.findUnique({ where: { id }, select: { clientId: true } }) : null;
    if (!owner) return fail({ kind: 'notFound', what: 'identifier', id });
    const result = await this.changes.apply(owner.clientId, async ({ tx, now }) => {
      const deactivated = await tx.identifier.updateMany({
        where: { id, status: 'ACTIVE' },
        data: { status: 'INACTIVE', deactivatedAt: now },
      });
      // Already inactive: nothing changes, and saying so again is not an error.
      if (deactivated.count === 0) return { ok: true, value: undefined, events: [] };
      return { ok: true, value: undefined, events: [{ type: 'IDENTIFIER_DEACTIVATED', detail: { identifierId: id } }] };
    });
    return result.ok ? ok(result.value.client) : result;
  }
}
