import type { Client, Prisma, PrismaClient } from '../../generated/prisma/client';
import type { ClientStatus } from '../../generated/prisma/enums';
import { inTransaction, violatedUniqueConstraint } from '../../db/transaction';
import { Actor, mayCorrectIdentityFacts } from '../../shared/actor';
import { Page, afterPosition, checkPageSize, decodeCursor, pageOf } from '../../shared/paging';
import { Result, fail, isUuid, ok } from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { recordEvents } from '../history/history';
import { ClientFieldChanges, IDENTITY_FACTS } from '../verification/lifecycle';
import { ClientChanges } from './client-changes';

export interface CreateClientData {
  externalId?: string | null;
  firstName: string;
  lastName: string;
  dateOfBirth?: string | null;
  email?: string | null;
  mobilePhone?: string | null;
}

export interface UpdateClientData {
  clientId: string;
  firstName?: string | null;
  lastName?: string | null;
  dateOfBirth?: string | null;
  email?: string | null;
  mobilePhone?: string | null;
}

const NAME: rules.TextRule = { kind: 'words', max: 100 };
const EXTERNAL_ID: rules.TextRule = { kind: 'token', max: 128 };

export class ClientService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: ClientChanges,
    private readonly clock: () => Date,
  ) {}

  async create(input: CreateClientData): Promise<Result<Client>> {
    const now = this.clock();
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const externalId = rules.optionalText(errors, at('externalId'), input.externalId, EXTERNAL_ID);
    const firstName = rules.requiredText(errors, at('firstName'), input.firstName, NAME);
    const lastName = rules.requiredText(errors, at('lastName'), input.lastName, NAME);
    const dateOfBirth = input.dateOfBirth == null ? null : rules.dateOfBirth(errors, at('dateOfBirth'), input.dateOfBirth, now);
    // A blank optional contact means "none", as it does on update (forms send empty fields as "").
    const email = rules.isBlank(input.email) ? null : rules.email(errors, at('email'), input.email!);
    const mobilePhone = rules.isBlank(input.mobilePhone) ? null : rules.mobilePhone(errors, at('mobilePhone'), input.mobilePhone!);
    if (!errors.isEmpty) return fail({ kind: 'validation', fieldErrors: errors.list });

    try {
      const client = await inTransaction(this.prisma, async (tx) => {
        const created = await tx.client.create({
          data: {
            externalId,
            firstName: firstName!,
            lastName: lastName!,
            dateOfBirth,
            email,
            mobilePhone,
            createdAt: now,
            updatedAt: now,
          },
        });
        await recordEvents(tx, created.id, [{ type: 'CLIENT_CREATED', toStatus: 'PENDING' }], now);
        return created;
      });
      return ok(client);
    } catch (error) {
      if (externalId && violatedUniqueConstraint(error) === 'clients_external_id_key') {
        return fail({ kind: 'duplicateExternalId', externalId });
      }
      throw error;
    }
  }

  async update(actor: Actor, input: UpdateClientData): Promise<Result<Client>> {
    const now = this.clock();
    const errors = new FieldErrors();
    const at = (field: string) => ['input', field];
    const data: ClientFieldChanges = {};
    // Absent means "leave as is"; null clears the optional fields. Names cannot be cleared.
    if (input.firstName !== undefined) data.firstName = rules.requiredText(errors, at('firstName'), input.firstName, NAME);
    if (input.lastName !== undefined) data.lastName = rules.requiredText(errors, at('lastName'), input.lastName, NAME);
    if (input.dateOfBirth !== undefined) {
      data.dateOfBirth = input.dateOfBirth === null ? null : rules.dateOfBirth(errors, at('dateOfBirth'), input.dateOfBirth, now);
    }
    if (input.email !== undefined) {
      data.email = rules.isBlank(input.email) ? null : rules.email(errors, at('email'), input.email!);
    }
    if (input.mobilePhone !== undefined) {
      data.mobilePhone = rules.isBlank(input.mobilePhone) ? null : rules.mobilePhone(errors, at('mobilePhone'), input.mobilePhone!);
    }
    if (!errors.isEmpty) return fail({ kind: 'validation', fieldErrors: errors.list });

    const result = await this.changes.apply(actor, input.clientId, async ({ tx, client }) => {
      const changed = (Object.keys(data) as (keyof ClientFieldChanges)[]).filter((field) => !sameValue(client[field], data[field]));
      if (changed.length === 0) return { ok: true, value: undefined, events: [] };
      const correctedIdentityFacts = changed.filter((field) => (IDENTITY_FACTS as readonly string[]).includes(field));
      if (correctedIdentityFacts.length > 0 && (client.status === 'VERIFIED' || client.status === 'ACTIVE') && !mayCorrectIdentityFacts(actor)) {
        return {
          ok: false,
          failure: {
            kind: 'invalidStatus',
            clientId: client.id,
            currentStatus: client.status,
            allowedStatuses: ['PENDING'],
            message: `The client is ${client.status}: its ${correctedIdentityFacts.join(', ')} can be corrected only by staff with the clients:verify scope.`,
          },
        };
      }
      const update: ClientFieldChanges = Object.fromEntries(changed.map((field) => [field, data[field]]));
      // A new email or phone is unverified again, and any code sent to the old one is void.
      if (changed.includes('email')) {
        update.emailVerified = false;
        await tx.contactChallenge.deleteMany({ where: { clientId: client.id, channel: 'EMAIL' } });
      }
      if (changed.includes('mobilePhone')) {
        update.mobilePhoneVerified = false;
        await tx.contactChallenge.deleteMany({ where: { clientId: client.id, channel: 'MOBILE_PHONE' } });
      }
      return {
        ok: true,
        value: undefined,
        clientData: update,
        events: [{ type: 'CLIENT_UPDATED', detail: { fields: changed } }],
        correctedIdentityFacts,
      };
    });
    return result.ok ? ok(result.value.client) : result;
  }

  async findById(id: string): Promise<Client | null> {
    return isUuid(id) ? this.prisma.client.findUnique({ where: { id } }) : null;
  }

  async findByExternalId(externalId: string): Promise<Client | null> {
    // An externalId createClient would refuse (too long, control or invisible characters, NUL
    // that PostgreSQL text cannot even hold) names no client; an NFD spelling finds the NFC one.
    const wanted = rules.optionalText(new FieldErrors(), ['externalId'], externalId, EXTERNAL_ID);
    return wanted ? this.prisma.client.findUnique({ where: { externalId: wanted } }) : null;
  }

  /** Oldest first, so paging forward never skips clients created meanwhile. */
  async list(first: number, after: string | null, status: ClientStatus | null): Promise<Page<Client>> {
    checkPageSize(first);
    const position = after === null ? null : decodeCursor(after);
    const filter: Prisma.ClientWhereInput = status ? { status } : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.client.findMany({ where: { ...filter, ...afterPosition(position) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1 }),
      this.prisma.client.count({ where: filter }),
    ]);
    return pageOf(rows, first, totalCount);
  }
}

function sameValue(current: unknown, next: unknown): boolean {
  if (current instanceof Date && next instanceof Date) return current.getTime() === next.getTime();
  return current === next;
}
