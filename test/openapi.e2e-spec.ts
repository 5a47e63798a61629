import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION } from '@readerdesk/platform';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Document {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[] }> };
}

const COMMITTED = join(__dirname, '..', 'openapi.json');

function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

/** The 4xx statuses an operation can answer, read off its shape: what its documentation must list. */
function expectedProblems(operation: Operation): number[] {
  const statuses = new Set<number>();
  // Any protected route: no or a revoked credential (401); a role, key scope or CSRF token that does not allow it (403).
  if (operation.security?.length) [401, 403].forEach((s) => statuses.add(s));
  if (operation.parameters?.some((p) => p.in === 'path')) statuses.add(404);
  if (operation.requestBody || operation.parameters?.some((p) => p.in === 'query')) statuses.add(400);
  return [...statuses].sort();
}

describeWithDatabase('the OpenAPI document', () => {
  let desk: TestApp;
  let served: Document;

  beforeAll(async () => {
    desk = await createTestApp();
    served = (await desk.http.get('/api/docs-json').expect(200)).body as Document;
  });
  afterAll(async () => desk?.close());

  it('is committed as openapi.json and up to date (run `npm run openapi` after changing an operation)', () => {
    let committed: unknown;
    try {
      committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    } catch (error) {
      throw new Error(`openapi.json is missing or unreadable: run \`npm run openapi\` (${String(error)})`);
    }
    expect(committed).toEqual(served);
    expect(served.info.version).toBe(
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version,
    );
    expect(API_VERSION).toBe(served.info.version);
  });

  it('describes every operation with a summary and a description', () => {
    const thin = operations(served)
      .filter(([, op]) => !op.summary?.trim() || !op.description?.trim())
      .map(([name]) => name);
    expect(thin).toEqual([]);
    expect(operations(served).length).toBeGreaterThanOrEqual(40);
  });

  it('lists the 4xx responses of every operation, each a problem details body', () => {
    const missing = operations(served).flatMap(([name, op]) =>
      expectedProblems(op)
        .filter((status) => !op.responses[String(status)])
        .map((status) => `${name}: ${status}`),
    );
    expect(missing).toEqual([]);
    const notProblems = operations(served).flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status]) => Number(status) >= 400)
        .filter(
          ([, r]) => r.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/ProblemDetails',
        )
        .map(([status]) => `${name}: ${status}`),
    );
    expect(notProblems).toEqual([]);
  });

  it('has the problem details schema the error filter answers', async () => {
    expect(served.components.schemas.ProblemDetails?.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    const answer = await desk.http.get('/api/v1/libraries/no-such-library').expect(404);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const field of served.components.schemas.ProblemDetails.required ?? [])
      expect(answer.body).toHaveProperty(field);
  });
});
