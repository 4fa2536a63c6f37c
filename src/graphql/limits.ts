import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, ValidationContext, ValidationRule } from 'graphql';

/** Limits every operation must meet before it runs (GRAPHQL_MAX_* settings; README, "Limits and abuse"). */
export interface QueryLimits {
  maxAliases: number;
  maxDepth: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxAliases: 15, maxDepth: 12, maxTokens: 3000, maxDirectives: 50, maxCost: 20_000 };

/**
 * GraphQL Armor's validation rules: aliases, depth, directives and cost are refused before execution
 * as GRAPHQL_VALIDATION_FAILED. Field suggestions ("Did you mean ...?") are dropped when the schema
 * is not public. The token limit is graphql-js's own (`parseOptions`, see `createApp`): it stops the
 * parser at the limit, so a 30,000-alias document never builds an AST, and is a 400
 * GRAPHQL_PARSE_FAILED (Armor's plugin form of it answers 500 under Apollo Server 5).
 */
export function queryLimitProtection(limits: QueryLimits, schemaIsPublic: boolean) {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, flattenFragments: true },
    blockFieldSuggestion: { enabled: !schemaIsPublic },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules: [...validationRules, operationTypeServed] };
}

/**
 * An operation of a type the schema has no root for (a subscription: this API has none) is refused
 * as GRAPHQL_VALIDATION_FAILED. graphql-js's own rules let it through, and its execution then failed
 * as an internal server error, logged with a stack.
 */
export const operationTypeServed: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation) === undefined) {
      context.reportError(new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: [node] }));
    }
  },
});
