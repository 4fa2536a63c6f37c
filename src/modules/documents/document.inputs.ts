import { Field, ID, InputType } from 'type-graphql';
import { DocumentDecision, DocumentType } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';

@InputType()
export class AddDocumentInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => DocumentType)
  type: DocumentType;

  @Field(() => String)
  fileName: string;

  @Field(() => String, { description: 'application/pdf, image/jpeg or image/png; checked against the bytes.' })
  contentType: string;

  @Field(() => String, { description: 'The file\'s bytes, base64; at most 10 MiB decoded.' })
  contentBase64: string;

  @Field(() => DateScalar, { nullable: true })
  expiresOn?: string | null;
}

@InputType()
export class ReviewDocumentInput {
  @Field(() => ID)
  documentId: string;

  @Field(() => DocumentDecision)
  decision: DocumentDecision;

  @Field(() => String, { nullable: true, description: 'Required when rejecting.' })
  reason?: string | null;
}
