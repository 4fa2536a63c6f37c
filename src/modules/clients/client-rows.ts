import { Prisma } from '../../generated/prisma/client';
import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';

/**
 * The clients row in Prisma's `Client` shape, for the unit of work's raw statements (each does in
 * one statement what Prisma needs two for). Every field of `Client`, aliased to its Prisma name;
 * test/db/client-rows.test.ts checks that a row read this way equals Prisma's own.
 */
const CLIENT_COLUMNS = Prisma.sql`
  id::text AS "id", external_id AS "externalId", first_name AS "firstName", last_name AS "lastName",
  date_of_birth AS "dateOfBirth", email AS "email", email_verified AS "emailVerified",
  mobile_phone AS "mobilePhone", mobile_phone_verified AS "mobilePhoneVerified",
  status::text AS "status", kyc_verification_type::text AS "kycVerificationType",
  verified_at AS "verifiedAt", activated_at AS "activatedAt", created_at AS "createdAt",
  updated_at AS "updatedAt", version AS "version", reverification_required AS "reverificationRequired"`;

/** Locks the client's row until the transaction ends and reads it, in one statement; null when there is none. */
export async function lockClient(tx: Tx, clientId: string): Promise<Client | null> {
  const [client] = await tx.$queryRaw<Client[]>`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ${clientId}::uuid FOR UPDATE`;
  return client ?? null;
}
