import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

/** `depth` arrays (or objects) inside each other, as a raw JSON text. */
function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

describeWithDatabase('hostile request bodies', () => {
  let desk: TestApp;
  let admin: { Authorization: string };

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
  });
  afterAll(async () => desk?.close());

  const login = (): ReturnType<TestApp['http']['post']> =>
    desk.http.post('/api/v1/auth/login').set('Content-Type', 'application/json');

  it.each([
    ['arrays', 'array'],
    ['objects', 'object'],
  ] as const)('answers JSON nested 2,000 %s deep with 400 problem details, before any validation', async (_, kind) => {
    for (const path of ['/api/v1/auth/login', '/api/v1/readers/resolve', '/api/v1/departments']) {
      const body = kind === 'array' ? nested(2000, kind) : `{"email":${nested(2000, kind)},"password":"x"}`;
      const res = await desk.http.post(path).set(admin).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, code: 'body_too_deep', instance: path });
      expect(res.body.detail).toMatch(/nested more than \d+ levels/);
    }
  });

  it('refuses the deepest body the size limit allows, and a deep body in UTF-16, the same way', async () => {
    const megabyte = await login().send(nested(500_000, 'array'));
    expect(megabyte.status).toBe(400);
    expect(megabyte.body.code).toBe('body_too_deep');
    const utf16 = await desk.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(Buffer.from(nested(2000, 'array'), 'utf16le').toString('latin1'));
    expect(utf16.status).toBe(400);
    expect(utf16.body.code).toBe('body_too_deep');
  });

  it('keeps ordinary nesting to the DTO check: a value nested a few levels deep is a validation failure, not a refusal', async () => {
    const res = await login().send(`{"email":${nested(10, 'object')},"password":"x"}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  /** A raw POST of exactly these bytes (supertest would serialise a Buffer sent as JSON, and fetch inside Jest's sandbox too). */
  function postBytes(
    path: string,
    encoding: string,
    bytes: Buffer,
  ): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
    const { port } = desk.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Content-Length': bytes.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(bytes);
    });
  }

  it.each([
    { encoding: 'gzip', pack: gzipSync },
    { encoding: 'deflate', pack: deflateSync },
    { encoding: 'br', pack: brotliCompressSync },
  ])(
    'reads a $encoding-encoded body, and answers a body that is not really $encoding with 400',
    async ({ encoding, pack }) => {
      const json = JSON.stringify({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password });
      const good = await postBytes('/api/v1/auth/login', encoding, pack(Buffer.from(json)));
      expect(good.status).toBe(200);
      expect(good.body['tokenType']).toBe('Bearer');

      for (const bogus of [
        Buffer.from(json),
        Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]),
        pack(Buffer.from(json)).subarray(0, 9),
      ]) {
        const res = await postBytes('/api/v1/auth/login', encoding, bogus);
        expect(res.status).toBe(400);
        expect(res.type).toContain('application/problem+json');
        expect(res.body).toMatchObject({ status: 400, code: 'malformed_encoding', instance: '/api/v1/auth/login' });
        expect(res.body['detail']).toContain(encoding);
      }
    },
  );

  it('answers an encoding it does not know with 415, and keeps serving afterwards', async () => {
    const res = await login().set('Content-Encoding', 'compress').send('{}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_encoding');
    await desk.http.get('/health').expect(200);
  });
});
