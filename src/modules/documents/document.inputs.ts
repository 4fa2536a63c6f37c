import { Field, ID, InputType, Int } from 'type-graphql';
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

  @Field(() => String, { nullable: true, description: 'The file\'s bytes, base64; at most 10 MiB decoded. Exactly one of contentBase64 and uploadId.' })
  contentBase64?: string | null;

  @Field(() => ID, { nullable: true, description: 'A finished upload (createDocumentUpload, then PUT the bytes to its uploadUrl). Exactly one of contentBase64 and uploadId.' })
  uploadId?: string | null;

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

@InputType()
export class CreateDocumentUploadInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => String, { description: 'application/pdf, image/jpeg or image/png; addDocument checks it against the bytes.' })
  contentType: string;

  @Field(() => Int, { description: 'The file\'s exact size in bytes: 1 to 10 MiB. Any other number of bytes is refused.' })
  sizeBytes: number;

  @Field(() => String, { nullable: true, description: 'The file\'s SHA-256, hexadecimal: bytes with another digest are refused.' })
  sha256?: string | null;
}
