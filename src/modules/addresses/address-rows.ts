import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { Address } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { ADDRESS_COLUMNS } from '../../db/rows';

export type NewAddress = Omit<Address, 'id'>;

/**
 * Inserts an address, in one statement; a primary one first demotes the client's primary address
 * (the partial unique index allows one per client). The insert reads how many the demotion changed,
 * so the demotion has run, to completion, before the new row meets the index.
 */
export async function insertAddress(tx: Tx, address: NewAddress): Promise<{ address: Address; replacedPrimary: boolean }> {
  const [row] = await tx.$queryRaw<Array<Address & { replacedPrimary: boolean }>>`
    WITH demoted AS (
      UPDATE addresses SET is_primary = false
       WHERE client_id = ${address.clientId}::uuid AND is_primary AND ${address.isPrimary}::boolean
      RETURNING id
    ),
    inserted AS (
      INSERT INTO addresses (id, client_id, type, is_primary, line1, line2, city, region, postal_code, country_code, created_at)
      SELECT ${randomUUID()}::uuid, ${address.clientId}::uuid, ${address.type}::"AddressType", ${address.isPrimary}::boolean,
             ${address.line1}::text, ${address.line2}::text, ${address.city}::text, ${address.region}::text,
             ${address.postalCode}::text, ${address.countryCode}::text, ${address.createdAt}::timestamptz
        FROM (SELECT count(*) AS replaced FROM demoted) AS demotion
      RETURNING ${ADDRESS_COLUMNS}
    )
    SELECT inserted.*, (SELECT count(*) > 0 FROM demoted) AS "replacedPrimary" FROM inserted`;
  const { replacedPrimary, ...inserted } = row;
  return { address: inserted, replacedPrimary };
}
