import { Field, ObjectType, createUnionType } from 'type-graphql';
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

export const AddDocumentResult = createUnionType({
  name: 'AddDocumentResult',
  types: () => [AddDocumentSuccess, ValidationError, ClientNotFoundError] as const,
});

export const ReviewDocumentResult = createUnionType({
  name: 'ReviewDocumentResult',
  types: () => [ReviewDocumentSuccess, ValidationError, NotFoundError] as const,
});
