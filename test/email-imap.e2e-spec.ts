import { MailboxCursor, MailboxSupervisor, parseInboundEmail, UnprocessedMail } from '@readerdesk/channels';
import { Conversation, Message } from '@readerdesk/conversations';
import { describeWithDatabase, dovecotSkipReason, type TestDovecot } from '@readerdesk/testing';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEmailTestDesk, EmailTestDesk } from './support/email-desk';

const SAMPLES = resolve(__dirname, '../../shared/testdata/mail');
const skip = dovecotSkipReason() ?? (existsSync(SAMPLES) ? undefined : `${SAMPLES} is absent`);
if (skip) console.warn(`IMAP end-to-end tests skipped: ${skip}`);

function samples(dir = SAMPLES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return samples(path);
    return name.endsWith('.eml') ? [path] : [];
  });
}

(skip ? describe.skip : describeWithDatabase)('a mailbox connected over IMAP (real Dovecot)', () => {
  let desk: EmailTestDesk;
  let dovecot: TestDovecot;

  beforeAll(async () => {
    desk = await createEmailTestDesk({ dovecot: [{ user: 'desk', password: 'desk-secret' }] });
    dovecot = desk.dovecot!;
  });
  afterAll(async () => desk?.close());

  it('turns every real-world sample into a conversation or, for machine mail, into none — in UTF-8 — and loses none', async () => {
    const files = samples();
    for (const file of files) await dovecot.append('desk', 'INBOX', readFileSync(file));

    const inbox = await desk.createEmailInbox({
      imap: { host: dovecot.host, port: dovecot.port, user: 'desk', password: 'desk-secret', processed: 'flag' },
    });
    await desk.app.get(MailboxSupervisor).reconcile();

    const cursors = desk.database.manager.getRepository(MailboxCursor);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const cursor = await cursors.findOneBy({ id: inbox.id });
      if (cursor && cursor.lastUid >= files.length) break;
      if (Date.now() > deadline) throw new Error(`IMAP fetch stalled at ${JSON.stringify(cursor)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const messages = desk.database.manager.getRepository(Message);
    const conversations = desk.database.manager.getRepository(Conversation);
    const unprocessed = desk.database.manager.getRepository(UnprocessedMail);
    let personal = 0;
    for (const file of files) {
      let parsed;
      try {
        parsed = await parseInboundEmail(readFileSync(file));
      } catch {
        continue; // not email at all: left in the mailbox, nothing stored
      }
      const stored = await messages.findOneBy({ inboxId: inbox.id, externalId: parsed.messageId });
      // Nothing readable vanishes: a message, or mail held for staff in the unprocessed list.
      const held = await unprocessed.findOneBy({ inboxId: inbox.id, messageId: parsed.messageId });
      expect({ file, kept: !!stored || !!held }).toEqual({ file, kept: true });
      if (parsed.category === 'personal' && parsed.from && !parsed.suspectedAutomatic) {
        personal += 1;
        expect({ file, stored: !!stored }).toEqual({ file, stored: true });
        expect(stored?.text ?? '').not.toContain('\uFFFD');
      } else if (stored) {
        // Machine mail is only ever recorded on a conversation it belongs to, never as its opening.
        const conversation = await conversations.findOneByOrFail({ id: stored.conversationId });
        const [first] = await messages.find({
          where: { conversationId: conversation.id },
          order: { createdAt: 'ASC' },
          take: 1,
        });
        expect({ file, opened: first.id === stored.id }).toEqual({ file, opened: false });
      }
    }
    expect(personal).toBeGreaterThan(10);
    const opened = await conversations.countBy({ inboxId: inbox.id });
    expect(opened).toBeLessThanOrEqual(personal);
    expect(opened).toBeGreaterThan(0);
  }, 180_000);
});
