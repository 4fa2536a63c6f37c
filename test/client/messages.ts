// What an app shows for each code the API can answer with. Every function is an exhaustive switch
// over a generated enum type: when the schema gains a value and the types are regenerated, the
// `default` branch no longer receives `never` and the app stops compiling until the new value is
// handled. (Without that guard a new value would silently fall through to a generic message.)
import type {
  ClientEventType,
  ContactVerificationFailureReason,
  FieldErrorCode,
  RequirementCode,
} from './gql/graphql';

/** Compile-time proof that every case was handled; at run time, a value newer than this build. */
export function unhandled(value: never): never {
  throw new Error(`Unhandled value from the API: ${JSON.stringify(value)}. Regenerate the client types and handle it.`);
}

export function fieldErrorText(code: FieldErrorCode): string {
  switch (code) {
    case 'REQUIRED':
      return 'This field is required.';
    case 'TOO_LONG':
      return 'This is too long.';
    case 'INVALID_FORMAT':
      return 'This is not in the expected format.';
    case 'INVALID_VALUE':
      return 'This value is not accepted.';
    case 'OUT_OF_RANGE':
      return 'This value is out of range.';
    case 'EXPIRED':
      return 'This has expired.';
    case 'PO_BOX_NOT_ALLOWED':
      return 'A primary address cannot be a post-office box.';
    case 'NOT_A_MOBILE_NUMBER':
      return 'Enter a mobile phone number.';
    case 'UNSUPPORTED_CONTENT_TYPE':
      return 'Upload a PDF, JPEG or PNG file.';
    case 'CONTENT_TYPE_MISMATCH':
      return 'The file is not of the type it claims to be.';
    case 'TOO_LARGE':
      return 'The file is too large.';
    case 'NOT_PENDING_REVIEW':
      return 'This document has already been reviewed.';
    case 'NO_CONTACT_TO_VERIFY':
      return 'There is no contact detail to verify on this channel.';
    case 'ALREADY_VERIFIED':
      return 'This contact detail is already verified.';
    case 'SIZE_MISMATCH':
      return 'The file that arrived is not the size announced; upload it again.';
    case 'SHA256_MISMATCH':
      return 'The file changed on its way; upload it again.';
    case 'UPLOAD_NOT_FOUND':
      return 'This upload is not known; start the upload again.';
    case 'UPLOAD_ALREADY_USED':
      return 'This upload was already used; start a new one.';
    case 'UPLOAD_INCOMPLETE':
      return 'The file has not finished uploading.';
    default:
      return unhandled(code);
  }
}

export function contactVerificationFailureText(reason: ContactVerificationFailureReason): string {
  switch (reason) {
    case 'INVALID_CODE':
      return 'That code is not the one we sent.';
    case 'EXPIRED':
      return 'That code has expired; ask for a new one.';
    case 'TOO_MANY_ATTEMPTS':
      return 'Too many wrong codes; ask for a new one.';
    case 'NO_PENDING_CHALLENGE':
      return 'No code is waiting to be confirmed; ask for one first.';
    default:
      return unhandled(reason);
  }
}

export function requirementText(code: RequirementCode): string {
  switch (code) {
    case 'PRIMARY_ADDRESS':
      return 'Add a primary address.';
    case 'IDENTITY_DOCUMENT':
      return 'Add an identity number or an accepted identity document.';
    case 'TAX_IDENTIFIER':
      return 'Add a tax identifier (SSN or ITIN).';
    case 'PHYSICAL_ID_DOCUMENT':
      return 'Upload a passport, driving licence or national ID card.';
    case 'PROOF_OF_ADDRESS':
      return 'Upload a proof of address.';
    case 'EMAIL_ADDRESS':
      return 'Add an email address.';
    case 'EMAIL_VERIFICATION':
      return 'Confirm the email address.';
    case 'MOBILE_PHONE':
      return 'Add a mobile phone number.';
    case 'MOBILE_PHONE_VERIFICATION':
      return 'Confirm the mobile phone number.';
    default:
      return unhandled(code);
  }
}

export function historyText(type: ClientEventType): string {
  switch (type) {
    case 'CLIENT_CREATED':
      return 'Client created';
    case 'CLIENT_UPDATED':
      return 'Details changed';
    case 'ADDRESS_ADDED':
      return 'Address added';
    case 'ADDRESS_REMOVED':
      return 'Address removed';
    case 'IDENTIFIER_ADDED':
      return 'Identity number added';
    case 'IDENTIFIER_DEACTIVATED':
      return 'Identity number deactivated';
    case 'DOCUMENT_ADDED':
      return 'Document uploaded';
    case 'DOCUMENT_ACCEPTED':
      return 'Document accepted';
    case 'DOCUMENT_REJECTED':
      return 'Document rejected';
    case 'CONTACT_VERIFICATION_REQUESTED':
      return 'Confirmation code sent';
    case 'EMAIL_VERIFIED':
      return 'Email address confirmed';
    case 'MOBILE_PHONE_VERIFIED':
      return 'Mobile phone confirmed';
    case 'CLIENT_VERIFIED':
      return 'Verified';
    case 'CLIENT_ACTIVATED':
      return 'Activated';
    case 'VERIFICATION_REVOKED':
      return 'Verification withdrawn';
    case 'REVERIFICATION_REQUIRED':
      return 'Needs verifying again';
    default:
      return unhandled(type);
  }
}
