import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createTestApp, TestApp } from './support/test-app';

const LIMIT = 64 * 1024;

describeWithDatabase('attachments through the REST API', () => {
  let desk: TestApp;
  let lena: { Authorization: string }; // reference + e-resources
  let arash: { Authorization: string }; // circulation only
  let conversationId: string;

  beforeAll(async () => {
    desk = await createTestApp({ DESK_ATTACHMENT_MAX_BYTES: String(LIMIT) });
    const admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    arash = await desk.signIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    const inbox = await desk.http
      .post('/api/v1/inboxes')
      .set(admin)
      .send({ channel: 'api', name: 'Form', defaultDepartmentId: reference.id })
      .expect(201);
    const ingested = await desk.http
      .post(`/api/v1/inboxes/${inbox.body.id}/messages`)
      .set(admin)
      .send({ externalId: 'att-1', handles: [{ kind: 'email', value: 'reader@example.org' }], text: 'Hello' })
      .expect(201);
    conversationId = ingested.body.conversation.id;
  });
  afterAll(async () => desk?.close());

  it('uploads a file, sends it with a reply, lists it on the timeline and gives the same bytes back', async () => {
    const bytes = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7) % 256));
    const upload = await desk.http
      .post(`/api/v1/conversations/${conversationId}/attachments`)
      .query({ filename: 'Reading list é.pdf' })
      .set(lena)
      .set('Content-Type', 'application/pdf')
      .send(bytes)
      .expect(201);
    expect(upload.body).toMatchObject({
      filename: 'Reading list é.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      messageId: null,
    });
    const reply = await desk.http
      .post(`/api/v1/conversations/${conversationId}/replies`)
      .set(lena)
      .send({ text: 'Here is the list.', attachmentIds: [upload.body.id] })
      .expect(201);
    expect(reply.body.attachments).toEqual([expect.objectContaining({ id: upload.body.id, messageId: reply.body.id })]);
    // One upload rides on one message only.
    await desk.http
      .post(`/api/v1/conversations/${conversationId}/notes`)
      .set(lena)
      .send({ text: 'again', attachmentIds: [upload.body.id] })
      .expect(409);

    const timeline = await desk.http.get(`/api/v1/conversations/${conversationId}/timeline`).set(lena).expect(200);
    const outbound = (timeline.body as Array<{ kind: string; attachments: Array<{ id: string }> }>).find(
      (m) => m.kind === 'outbound',
    );
    expect(outbound?.attachments.map((a) => a.id)).toEqual([upload.body.id]);

    const download = await desk.http
      .get(`/api/v1/attachments/${upload.body.id}/content`)
      .set(lena)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(download.body as Buffer, bytes)).toBe(0);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toContain("filename*=UTF-8''Reading%20list%20%C3%A9.pdf");
    expect(download.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 413 naming the limit for an oversized upload, declared or streamed, and keeps nothing', async () => {
    const big = Buffer.alloc(LIMIT + 1, 1);
    const declared = await desk.http
      .post(`/api/v1/conversations/${conversationId}/attachments`)
      .query({ filename: 'scan.tiff' })
      .set(lena)
      .set('Content-Type', 'image/tiff')
      .send(big)
      .expect(413);
    expect(declared.body).toMatchObject({ code: 'attachment_too_large' });
    expect(declared.body.detail).toContain(`${LIMIT} bytes`);

    // Chunked: no Content-Length, so the limit is found while streaming.
    const address = desk.app.getHttpServer().address() as { port: number };
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: address.port,
          method: 'POST',
          path: `/api/v1/conversations/${conversationId}/attachments?filename=big.bin`,
          headers: { ...lena, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 8; i += 1) req.write(Buffer.alloc(LIMIT / 4, 2));
      req.end();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ code: 'attachment_too_large' });

    const timeline = await desk.http.get(`/api/v1/conversations/${conversationId}/timeline`).set(lena).expect(200);
    const sizes = (timeline.body as Array<{ attachments: Array<{ size: number }> }>).flatMap((m) =>
      m.attachments.map((a) => a.size),
    );
    expect(sizes.every((s) => s <= LIMIT)).toBe(true);
  });

  it('hides files of conversations the agent cannot see, and refuses uploads there', async () => {
    const upload = await desk.http
      .post(`/api/v1/conversations/${conversationId}/attachments`)
      .query({ filename: 'note.txt' })
      .set(lena)
      .set('Content-Type', 'text/html')
      .send('<script>alert(1)</script>')
      .expect(201);
    await desk.http.get(`/api/v1/attachments/${upload.body.id}`).set(arash).expect(404);
    await desk.http.get(`/api/v1/attachments/${upload.body.id}/content`).set(arash).expect(404);
    await desk.http
      .post(`/api/v1/conversations/${conversationId}/attachments`)
      .query({ filename: 'x.txt' })
      .set(arash)
      .set('Content-Type', 'text/plain')
      .send('x')
      .expect(404);
    // Asked to show HTML in place, the desk still only offers it as a download.
    const shown = await desk.http
      .get(`/api/v1/attachments/${upload.body.id}/content`)
      .query({ disposition: 'inline' })
      .set(lena)
      .expect(200);
    expect(shown.headers['content-type']).toBe('application/octet-stream');
    expect(shown.headers['content-disposition']).toMatch(/^attachment;/);
    expect(shown.headers['content-security-policy']).toContain('sandbox');
  });
});
