import { Field, ID, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
import { DateTimeScalar } from '../../graphql/scalars';
import { ClientNotFoundError, NotFoundError, RateLimitedError, ValidationError } from '../../graphql/user-errors';
import { Client } from '../clients/client.types';
import { Document } from './document.types';

@ObjectType()
export class AddDocumentSuccess {
  @Field(() => Client)
  client: Client;

  @Field(() => Document)
  document: Document;
}

@ObjectType()
export class ReviewDocumentSuccess {
  @Field(() => Client)
  client: Client;

  @Field(() => Document)
  document: Document;
}

export const AddDocumentResult = resultUnion('AddDocumentResult', AddDocumentSuccess, [ValidationError, ClientNotFoundError]);

export const ReviewDocumentResult = resultUnion('ReviewDocumentResult', ReviewDocumentSuccess, [ValidationError, NotFoundError]);

@ObjectType({ description: 'A single-use upload: PUT the file\'s raw bytes to uploadUrl before expiresAt, then addDocument with uploadId.' })
export class DocumentUploadCreated {
  @Field(() => ID)
  uploadId: string;

  @Field(() => String, { description: 'Where to PUT the bytes: this server\'s /uploads/{id} (signed), or a presigned object-storage URL.' })
  uploadUrl: string;

  @Field(() => DateTimeScalar)
  expiresAt: Date;

  /** No client changes yet (respond() has no client to forget). */
  declare readonly client?: undefined;
}

export const CreateDocumentUploadResult = resultUnion('CreateDocumentUploadResult', DocumentUploadCreated, [ValidationError, ClientNotFoundError, RateLimitedError]);
