/**
 * The ceiling of bench/ingest-http: a bare `node:http` server, forked as its own process, that does the least
 * an HTTP edge storing a contact must do: read the body, parse the JSON, insert one message-sized row (the
 * external id under a unique index, as in insert-ceiling) through a `pg` pool sized like the desk's, answer
 * with the ids. No framework, no authentication, no validation beyond the two fields it stores.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';

export type FromCeiling = { type: 'listening'; port: number } | { type: 'error'; message: string };

const INSERT =
  'INSERT INTO bench_messages (id, library_id, conversation_id, direction, external_id, body, created_at) ' +
  'VALUES ($1,$2,$3,$4,$5,$6,$7)';

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function main(): void {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.CEILING_POOL ?? 10) });
  const libraryId = randomUUID();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let input: { externalId?: unknown; text?: unknown };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString()) as typeof input;
      } catch {
        return answer(res, 400, { code: 'invalid_json' });
      }
      if (typeof input.externalId !== 'string' || typeof input.text !== 'string') {
        return answer(res, 400, { code: 'validation_failed' });
      }
      const id = randomUUID();
      const conversationId = randomUUID();
      pool.query(INSERT, [id, libraryId, conversationId, 'inbound', input.externalId, input.text, new Date()]).then(
        () => answer(res, 201, { conversation: { id: conversationId }, message: { id }, duplicate: false }),
        (error: { code?: string; message: string }) =>
          error.code === '23505'
            ? answer(res, 200, { duplicate: true })
            : answer(res, 500, { code: 'internal', detail: error.message }),
      );
    });
  };
  const server = createServer(handle);
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies FromCeiling),
  );
  process.on('disconnect', () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}

if (require.main === module) main();
