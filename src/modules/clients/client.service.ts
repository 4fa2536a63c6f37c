import type { Client } from '../../generated/prisma/client';
import type { Database } from '../../db/database';
import type { ClientStatus, ContactChannel } from '../../generated/prisma/enums';
import { Tx, violatedUniqueConstraint } from '../../db/transaction';
import type { Actor } from '../../shared/actor';
import { clientsPage } from '../../db/rows';
import { Page, checkPageSize, decodeCursor, pageOf } from '../../shared/paging';
import {
  ClientNotFound,
  DuplicateExternalId,
  InvalidStatus,
  Result,
  ValidationFailure,
  duplicateExternalId,
  fail,
  isUuid,
  ok,
  validationFailure,
} from '../../shared/result';
import * as rules from '../../shared/validation';
import { FieldErrors } from '../../shared/validation';
import { ClientChanges, ClientFieldChanges } from './client-changes';

/** Voids the codes sent to a contact the client no longer has (contacts' voidChallenges, wired in createServices). */
export type VoidContactChallenges = (tx: Tx, clientId: string, channel: ContactChannel) => Promise<void>;

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
    private readonly database: Pick<Database, 'prisma' | 'sql'>,
    private readonly changes: ClientChanges,
    private readonly voidContactChallenges: VoidContactChallenges,
    private readonly clock: () => Date,
  ) {}

  async create(input: CreateClientData): Promise<Result<{ client: Client }, ValidationFailure | DuplicateExternalId>> {
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
    if (!errors.isEmpty) return fail(validationFailure(errors.list));

    try {
      return ok({ client: await this.changes.create({ externalId, firstName: firstName!, lastName: lastName!, dateOfBirth, email, mobilePhone }) });
    } catch (error) {
      if (externalId && violatedUniqueConstraint(error) === 'clients_external_id_key') {
        return fail(duplicateExternalId(externalId));
      }
      throw error;
    }
  }

  async update(actor: Actor, input: UpdateClientData): Promise<Result<{ client: Client }, ValidationFailure | ClientNotFound | InvalidStatus>> {
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
    if (!errors.isEmpty) return fail(validationFailure(errors.list));

    const result = await this.changes.apply(actor, input.clientId, async ({ tx, client }) => {
      const changed = (Object.keys(data) as (keyof ClientFieldChanges)[]).filter((field) => !sameValue(client[field], data[field]));
      if (changed.length === 0) return { ok: true, value: undefined, events: [] };
      // Who may correct identity facts, and what a correction does to a verified client, is the
      // lifecycle's after-change rule (ClientChanges runs it).
      const update: ClientFieldChanges = Object.fromEntries(changed.map((field) => [field, data[field]]));
      // A new email or phone is unverified again, and any code sent to the old one is void.
      if (changed.includes('email')) {
        update.emailVerified = false;
        await this.voidContactChallenges(tx, client.id, 'EMAIL');
      }
      if (changed.includes('mobilePhone')) {
        update.mobilePhoneVerified = false;
        await this.voidContactChallenges(tx, client.id, 'MOBILE_PHONE');
      }
      return {
        ok: true,
        value: undefined,
        clientData: update,
        events: [{ type: 'CLIENT_UPDATED', detail: { fields: changed } }],
      };
    });
    return result.ok ? ok({ client: result.value.client }) : result;
  }

  async findById(id: string): Promise<Client | null> {
    return isUuid(id) ? this.database.prisma.client.findUnique({ where: { id } }) : null;
  }

  async findByExternalId(externalId: string): Promise<Client | null> {
    // An externalId createClient would refuse (too long, control or invisible characters, NUL
    // that PostgreSQL text cannot even hold) names no client; an NFD spelling finds the NFC one.
    const wanted = rules.optionalText(new FieldErrors(), ['externalId'], externalId, EXTERNAL_ID);
    return wanted ? this.database.prisma.client.findUnique({ where: { externalId: wanted } }) : null;
  }

  /** Oldest first, so paging forward never skips clients created meanwhile. */
  async list(first: number, after: string | null, status: ClientStatus | null): Promise<Page<Client>> {
    checkPageSize(first);
    const position = after === null ? null : decodeCursor(after);
    // Raw, on the driver (src/db/rows.ts): every page of clients runs this.
    const rows = await clientsPage(this.database.sql, { status, after: position, take: first + 1 });
    return pageOf(rows, first, () => this.database.prisma.client.count({ where: status ? { status } : {} }));
  }
}

function sameValue(current: unknown, next: unknown): boolean {
  if (current instanceof Date && next instanceof Date) return current.getTime() === next.getTime();
  return current === next;
}
