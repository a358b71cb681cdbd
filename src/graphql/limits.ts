/**
 * Limits checked before execution (graphql-armor), chosen for this schema; docs/security.md explains
 * them. Cost counts a list field times its `first` argument, the connection's wrapping included: the
 * largest page (MAX_PAGE, 500) of a connection read through `edges { cursor node { … } }` with six fields
 * a node, `totalCount` and `pageInfo` costs 20,500 (41 an item), so the limit lets it through with some
 * room. A household with every field of its members' enrolments, payments and subsidies costs 244 at
 * depth 6; a whole policy year 133; five quotes 224.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';

export const GRAPHQL_LIMITS = {
  maxDepth: 10,
  maxCost: 25_000,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 2000,
  /** The query text alone; variables (a 10,000-row import) are bounded by the HTTP body limit. */
  maxDocumentBytes: 32 * 1024,
} as const;

export function graphqlArmor(production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
    // The token limit is the parser's own (Apollo's parseOptions, see parseOptions below): armor's plugin
    // throws from parsingDidStart, which Apollo answers with HTTP 500 for any syntax error.
    maxTokens: { enabled: false },
    // Field suggestions help developers; in production they reveal the schema.
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

/** graphql-js's parser stops past this many tokens: a syntax error, answered with HTTP 400. */
export const parseOptions = { maxTokens: GRAPHQL_LIMITS.maxTokens };
