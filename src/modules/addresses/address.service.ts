import type { Address, Client, PrismaClient } from '../../generated/prisma/client';
import type { AddressType } from '../../generated/prisma/enums';
import { Actor, actsOn } from '../../shared/actor';
import { ClientNotFound, NotFound, Result, ValidationFailure, childFailure, fail, isUuid, notFound, ok, validationFailure } from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { ClientChanges } from '../clients/client-changes';
import { insertAddress } from './address-rows';

export interface AddAddressData {
  clientId: string;
  type: AddressType;
  isPrimary: boolean;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  countryCode: string;
}

// Address lines, city and region are words (Persian and Indic street names need U+200C/U+200D);
// a postal code is a token.
const LINE: rules.TextRule = { kind: 'words', max: 200 };
const CITY: rules.TextRule = { kind: 'words', max: 100 };
const REGION: rules.TextRule = { kind: 'words', max: 100 };
const POSTAL_CODE: rules.TextRule = { kind: 'token', max: 20 };

export class AddressService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: ClientChanges,
  ) {}

  async add(actor: Actor, input: AddAddressData): Promise<Result<{ client: Client; address: Address }, ValidationFailure | ClientNotFound>> {
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const line1 = rules.requiredText(errors, at('line1'), input.line1, LINE);
    const line2 = rules.optionalText(errors, at('line2'), input.line2, LINE);
    const city = rules.requiredText(errors, at('city'), input.city, CITY);
    const region = rules.optionalText(errors, at('region'), input.region, REGION);
    const postalCode = rules.requiredText(errors, at('postalCode'), input.postalCode, POSTAL_CODE);
    const countryCode = rules.countryCode(errors, at('countryCode'), input.countryCode);
    // Residential and primary addresses must be where the client lives, never a post-office box.
    if (input.type === 'RESIDENTIAL' || input.isPrimary) {
      const what = input.isPrimary ? 'A primary address' : 'A residential address';
      if (line1 && rules.isPoBox(line1)) errors.add(at('line1'), 'PO_BOX_NOT_ALLOWED', `${what} cannot be a post-office box.`);
      if (line2 && rules.isPoBox(line2)) errors.add(at('line2'), 'PO_BOX_NOT_ALLOWED', `${what} cannot be a post-office box.`);
    }
    if (!errors.isEmpty) return fail(validationFailure(errors.list));

    const result = await this.changes.apply(actor, input.clientId, async ({ tx, client, now }) => {
      // A new primary address demotes the previous one (the partial unique index allows one).
      const { address, replacedPrimary } = await insertAddress(tx, {
        clientId: client.id,
        type: input.type,
        isPrimary: input.isPrimary,
        line1: line1!,
        line2: line2 ?? null,
        city: city!,
        region: region ?? null,
        postalCode: postalCode!,
        countryCode: countryCode!,
        createdAt: now,
      });
      return {
        ok: true,
        value: address,
        events: [{ type: 'ADDRESS_ADDED', detail: { addressId: address.id, type: address.type, isPrimary: address.isPrimary, replacedPrimary } }],
      };
    });
    return result.ok ? ok({ client: result.value.client, address: result.value.value }) : result;
  }

  async remove(actor: Actor, id: string): Promise<Result<{ client: Client }, NotFound>> {
    const owner = isUuid(id) ? await this.prisma.address.findUnique({ where: { id }, select: { clientId: true } }) : null;
    if (!owner || !actsOn(actor, owner.clientId)) return fail(notFound('address', id));
    const result = await this.changes.apply(actor, owner.clientId, async ({ tx }) => {
      const removed = await tx.$executeRaw`DELETE FROM addresses WHERE id = ${id}::uuid AND client_id = ${owner.clientId}::uuid`;
      if (removed === 0) return fail(notFound('address', id));
      return { ok: true, value: undefined, events: [{ type: 'ADDRESS_REMOVED', detail: { addressId: id } }] };
    });
    if (!result.ok) return fail(childFailure(result.failure, 'address', id));
    return ok({ client: result.value.client });
  }
}
