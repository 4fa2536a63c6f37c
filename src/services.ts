import type { Database } from './db/database';
import type { KeyRing } from './shared/keys';
import { AddressService } from './modules/addresses/address.service';
import { ClientChanges } from './modules/clients/client-changes';
import { ClientService } from './modules/clients/client.service';
import { ContactCodeVault } from './modules/contacts/contact-code-outbox';
import { ContactVerificationService, voidChallenges } from './modules/contacts/contact-verification.service';
import { DocumentService } from './modules/documents/document.service';
import { DocumentVault } from './modules/documents/document-encryption';
import { DocumentFiles } from './modules/documents/document-files';
import { DocumentUploadService } from './modules/documents/document-uploads';
import { DocumentStorage } from './modules/documents/document.storage';
import { DownloadLinks, SignedLinks } from './modules/documents/download-links';
import { IdentifierVault } from './modules/identifiers/identifier-values';
import { IdentifierService } from './modules/identifiers/identifier.service';
import { AttemptLimitSettings, AttemptLimits } from './modules/limits/attempt-limits';
import type { RequirementPolicy } from './modules/verification/requirements';
import { VerificationService, clientLifecycle } from './modules/verification/verification.service';

export interface ServiceDependencies {
  /** Writes run on its driver (`transaction`, `sql`); reads off the hot path use its Prisma client. */
  database: Database;
  /** The data keys: identifiers read with any of them; everything new written with the current one. */
  keys: KeyRing;
  policy: RequirementPolicy;
  attemptLimits: AttemptLimitSettings;
  clock: () => Date;
  documentStorage: DocumentStorage;
  /** Told right after each commit which history events it recorded: wakes the outbox dispatcher. */
  committed?: (eventTypes: readonly string[]) => void;
}

/** The domain services of one app, wired once at start-up. */
export interface Services {
  clients: ClientService;
  addresses: AddressService;
  identifiers: IdentifierService;
  documents: DocumentService;
  documentUploads: DocumentUploadService;
  downloadLinks: DownloadLinks;
  contactVerification: ContactVerificationService;
  verification: VerificationService;
  clock: () => Date;
}

export function createServices(deps: ServiceDependencies): Services {
  const { database, keys, policy, clock } = deps;
  const { prisma } = database;
  // The unit of work runs verification's lifecycle rules, so clients does not import verification.
  const changes = new ClientChanges(database, clientLifecycle(policy), clock, deps.committed);
  // Counted against the current key's subject hash: after a key rotation destination counts start over.
  const limits = new AttemptLimits(deps.attemptLimits, keys.current.keys.attemptSubject);
  const files = new DocumentFiles(prisma, deps.documentStorage, new DocumentVault(keys));
  // Links and codes live minutes: signed and checked with the current key only.
  const documentUploads = new DocumentUploadService(database, files, new SignedLinks(keys.current.keys.downloadUrl, 'document-upload'), limits, clock);
  return {
    clients: new ClientService(database, changes, voidChallenges, clock),
    addresses: new AddressService(prisma, changes),
    identifiers: new IdentifierService(prisma, changes, new IdentifierVault(keys), limits),
    documents: new DocumentService(prisma, changes, files, documentUploads, clock),
    documentUploads,
    downloadLinks: new DownloadLinks(keys.current.keys.downloadUrl, clock),
    contactVerification: new ContactVerificationService(changes, new ContactCodeVault(keys), keys.current.keys.contactCode, limits),
    verification: new VerificationService(changes, policy, clock),
    clock,
  };
}
