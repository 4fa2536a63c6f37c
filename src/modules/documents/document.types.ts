import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DocumentStatus, DocumentType } from '../../graphql/enums';
import { PageInfo } from '../../graphql/paging';
import { DateScalar, DateTimeScalar } from '../../graphql/scalars';

/** An identity document file. isValid and downloadUrl are resolved in document.resolver.ts. */
@ObjectType()
export class Document {
  @Field(() => ID)
  id: string;

  @Field(() => DocumentType)
  type: DocumentType;

  @Field(() => String)
  fileName: string;

  @Field(() => String)
  contentType: string;

  @Field(() => Int)
  sizeBytes: number;

  @Field(() => String, { description: 'Hex SHA-256 of the stored bytes, computed by the server.' })
  sha256: string;

  @Field(() => DocumentStatus)
  status: DocumentStatus;

  @Field(() => DateScalar, { nullable: true })
  expiresOn: Date | null;

  @Field(() => String, { nullable: true })
  rejectionReason: string | null;

  @Field(() => DateTimeScalar)
  createdAt: Date;
}

/** One document in the review queue; `client` (its owner) is resolved in document.resolver.ts. */
@ObjectType()
export class DocumentReviewEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Document)
  node: Document;
}

@ObjectType()
export class DocumentReviewConnection {
  @Field(() => [DocumentReviewEdge])
  edges: DocumentReviewEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Documents awaiting review now, across all clients.' })
  totalCount: Promise<number>;
}
