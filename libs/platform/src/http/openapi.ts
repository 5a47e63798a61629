import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The version the document states: the package's, kept in step with package.json by the document test. */
export const API_VERSION = '0.1.0';

export const PROBLEM_DETAILS_SCHEMA = 'ProblemDetails';

/** What each error status means on this API, unless an operation says more. */
const PROBLEM_MEANINGS: Record<number, string> = {
  400: 'Invalid input: `code` names the rule broken and, for a malformed body, `errors` lists the fields at fault',
  401: 'No valid access token, session cookie or API key (`unauthenticated`, `token_revoked`, `api_key_invalid`)',
  403: 'The caller’s role or API key scope does not allow this (`forbidden`, `api_key_scope`, `csrf_failed`)',
  404: 'Nothing with that id in the caller’s library (another library’s row is indistinguishable from a missing one)',
  409: 'The change conflicts with the current state (`code` says which rule)',
  413: 'The request body or file is larger than the limit, named in `detail`',
  415: 'The body’s encoding or charset is not supported',
  429: 'Too many requests; retry later',
  503: 'A dependency (database, Redis) is unavailable; retry after `Retry-After` seconds',
};

/** An error response: its status, or the status and what it means for this operation. */
export type Problem = number | [status: number, description: string];

/**
 * Documents the error responses of an operation, each an RFC 9457 problem details body
 * (`application/problem+json`, the `ProblemDetails` schema): `@ApiProblems(401, 403, [404, 'No such inbox'])`.
 */
export function ApiProblems(...problems: Problem[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...problems.map((problem) => {
      const [status, description] = typeof problem === 'number' ? [problem, PROBLEM_MEANINGS[problem]] : problem;
      if (!description) throw new Error(`ApiProblems: no description for status ${status}`);
      return ApiResponse({
        status,
        description,
        content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_DETAILS_SCHEMA}` } } },
      });
    }),
  );
}

/** The problem details body every error answers (see ProblemDetailsFilter). */
const problemDetailsSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, with a stable `code` to switch on',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://readerdesk.org/problems/not_found' },
    title: { type: 'string', example: 'Not Found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string', example: 'Conversation not found' },
    code: { type: 'string', description: 'Stable, snake_case error code', example: 'not_found' },
    instance: { type: 'string', description: 'The request path', example: '/api/v1/conversations/…' },
    errors: {
      type: 'array',
      description: 'For invalid input: the fields at fault',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    checks: {
      type: 'object',
      description: 'For `not_ready`: the state of each dependency',
      additionalProperties: true,
    },
  },
} as const;

/** The OpenAPI document of an application (served at /api/docs-json, written to openapi.json by `npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ReaderDesk API')
      .setDescription(
        'Omnichannel reader service desk for libraries. Every route except sign-in, the public library directory ' +
          'and the operations endpoints needs a staff access token (Bearer) or an API key (`X-Api-Key`). Errors are ' +
          'RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
      )
      .setVersion(API_VERSION)
      .setLicense('AGPL-3.0-or-later', 'https://www.gnu.org/licenses/agpl-3.0.html')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [PROBLEM_DETAILS_SCHEMA]: problemDetailsSchema as never },
  };
  return document;
}
