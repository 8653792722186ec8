/**
 * What a problem answer (RFC 9457, application/problem+json) looks like on the wire, and which problem codes each
 * status carries: the bounds api/errors.ts applies when it writes one, and the one `Problem` schema the OpenAPI
 * document (api/openapi.ts) declares for every refusal. Kept apart from api/errors.ts so that the validators
 * (api/validate.ts), which api/errors.ts reads, can name these answers without an import cycle.
 */
import { z } from 'zod';

/**
 * Bounds of a problem: its parts may quote the caller's input (the path, an id, a refused value), and an answer must
 * never grow with what an attacker sends.
 */
export const PROBLEM_LIMITS = {
  instance: 200,
  detail: 500,
  issues: 50,
  issuePath: 200,
  issueMessage: 300,
  total: 16_384,
};

/** A clipped text ends in one "…" beyond its limit. */
const clipped = (max: number) => z.string().max(max + 1);

/**
 * The statuses a route can refuse with, the component name of each answer in the document and the `code` values it
 * carries. 400 and 422 both mean refused input (api/validate.ts decides which); `http` is a refusal Hono raised
 * itself without a wording of ours.
 */
export const PROBLEM_STATUSES = {
  400: { name: 'BadRequest', codes: ['validation', 'http'], description: 'Malformed or refused input' },
  401: { name: 'Unauthorized', codes: ['unauthorized'], description: 'No token, or an unknown or revoked one' },
  403: { name: 'Forbidden', codes: ['forbidden'], description: "The caller's role or branch may not do this" },
  404: { name: 'NotFound', codes: ['not_found'], description: 'Unknown, malformed or private id' },
  409: { name: 'Conflict', codes: ['conflict'], description: 'The state of the record does not allow this' },
  413: { name: 'PayloadTooLarge', codes: ['too_large'], description: 'Request body over the limit' },
  414: { name: 'UriTooLong', codes: ['uri_too_long'], description: 'Address longer than 2,048 characters' },
  415: { name: 'UnsupportedMediaType', codes: ['unsupported_media_type'], description: 'Body of another type' },
  422: { name: 'UnprocessableContent', codes: ['validation'], description: 'Body content refused' },
  429: { name: 'TooManyRequests', codes: ['limit_exceeded'], description: 'Rate limit or failed sign-ins' },
  503: {
    name: 'ServiceUnavailable',
    codes: ['unavailable'],
    description: 'The matcher is still loading after a start; ask again after Retry-After seconds',
  },
} as const satisfies Record<number, { name: string; codes: readonly string[]; description: string }>;

export type ProblemStatus = keyof typeof PROBLEM_STATUSES;

/**
 * Every `code` a problem may carry. No route declares `internal`: it is the 500, and the fuzzing asserts there is
 * none.
 */
export const ProblemCode = z.enum([
  'internal',
  ...new Set(Object.values(PROBLEM_STATUSES).flatMap((s) => s.codes as readonly string[])),
]);

const Issue = z.object({
  path: clipped(PROBLEM_LIMITS.issuePath),
  message: clipped(PROBLEM_LIMITS.issueMessage),
});

/**
 * One problem answer. Open to further members: a refusal adds what the reader needs (`what` and `id` of a missing
 * record, `retry_after_seconds`, the `refusals` of proposals that were not sent, a conflicting record's state as
 * `record_status`), in snake_case.
 */
export const Problem = z
  .looseObject({
    type: z.string(),
    status: z.number().int().min(400).max(599),
    title: z.string(),
    code: ProblemCode,
    detail: clipped(PROBLEM_LIMITS.detail).optional(),
    instance: clipped(PROBLEM_LIMITS.instance),
    request_id: z.string(),
    issues: z.array(Issue).max(PROBLEM_LIMITS.issues).optional(),
    refusals: z
      .array(z.object({ customer_id: z.string(), failed: z.array(z.object({ code: z.string(), text: z.string() })) }))
      .optional(),
    /** Set when the problem outgrew `PROBLEM_LIMITS.total` and kept only its standard members. */
    truncated: z.literal(true).optional(),
  })
  .describe('Problem details (RFC 9457); German title and detail; extension members in snake_case');
