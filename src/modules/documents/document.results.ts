import { Field, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
import { ClientNotFoundError, NotFoundError, ValidationError } from '../../graphql/user-errors';
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
