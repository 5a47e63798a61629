import type { ThreadingRules } from './channels/channel-port';
import type { Conversation } from './conversation.entity';
import type { ConversationStatus } from './conversation-status';
import { decideIngestion, type DecisionInput, needsOngoing, readerReply } from './ingestion-decision';
import type { Message } from './message.entity';

const EMAIL_LIKE: ThreadingRules = { continuesOngoing: false, anySenderMayName: true };
const CHAT_LIKE: ThreadingRules = { continuesOngoing: true, anySenderMayName: false };
const at = new Date('2026-12-01T10:00:00Z');
const earlier = new Date('2026-12-01T09:00:00Z');

function conversation(id: string, status: ConversationStatus, readerId = 'reader-1'): Conversation {
  return {
    id,
    readerId,
    status,
    waitingSince: null,
    lastMessageAt: earlier,
    snoozedUntil: status === 'snoozed' ? new Date('2026-12-02T00:00:00Z') : null,
  } as Conversation;
}

function decide(over: Omit<Partial<DecisionInput>, 'contact'> & { contact?: Partial<DecisionInput['contact']> }) {
  return decideIngestion({
    threading: CHAT_LIKE,
    stored: null,
    named: null,
    ongoing: null,
    ...over,
    contact: { readerId: 'reader-1', at, ...over.contact },
  });
}

describe('decideIngestion', () => {
  it('answers a stored external id as a duplicate, whatever else is known', () => {
    const stored = { id: 'm-1' } as Message;
    expect(decide({ stored, ongoing: conversation('c-1', 'open') })).toEqual({ outcome: 'duplicate', message: stored });
    expect(decide({ stored, contact: { silent: true } })).toEqual({ outcome: 'duplicate', message: stored });
  });

  describe('chat-like threading (continues ongoing, only the reader may name)', () => {
    it('continues the reader’s ongoing conversation when none is named, reopening it', () => {
      const ongoing = conversation('c-1', 'pending');
      expect(decide({ ongoing })).toEqual({
        outcome: 'continue',
        conversation: ongoing,
        reply: {
          from: 'pending',
          to: 'open',
          changes: { status: 'open', waitingSince: at, lastMessageAt: at, snoozedUntil: null },
        },
      });
    });

    it('opens a conversation when the reader has none going', () => {
      expect(decide({})).toEqual({ outcome: 'open' });
    });

    it('continues the named conversation of the same reader, not the ongoing one', () => {
      const named = conversation('c-2', 'resolved');
      const result = decide({ contact: { conversationId: 'c-2' }, named, ongoing: conversation('c-1', 'open') });
      expect(result).toMatchObject({
        outcome: 'continue',
        conversation: named,
        reply: { from: 'resolved', to: 'open' },
      });
    });

    it('opens a new conversation when the named one belongs to another reader (never the ongoing one)', () => {
      const theirs = conversation('c-2', 'open', 'reader-2');
      expect(
        decide({ contact: { conversationId: 'c-2' }, named: theirs, ongoing: conversation('c-1', 'open') }),
      ).toEqual({ outcome: 'open' });
    });

    it('opens a new conversation when the named one is closed or not found', () => {
      expect(decide({ contact: { conversationId: 'c-2' }, named: conversation('c-2', 'closed') })).toEqual({
        outcome: 'open',
      });
      expect(decide({ contact: { conversationId: 'c-9' }, named: null })).toEqual({ outcome: 'open' });
    });

    it('keeps a new conversation new and its waiting time', () => {
      const ongoing = { ...conversation('c-1', 'new'), waitingSince: earlier };
      expect(decide({ ongoing })).toMatchObject({
        outcome: 'continue',
        reply: { from: 'new', to: 'new', changes: { status: 'new', waitingSince: earlier, lastMessageAt: at } },
      });
    });
  });

  describe('email-like threading (only what it names, any sender may name)', () => {
    it('opens a conversation for every unnamed contact, even with one going', () => {
      expect(decide({ threading: EMAIL_LIKE, ongoing: conversation('c-1', 'open') })).toEqual({ outcome: 'open' });
    });

    it('continues a named conversation of another reader (a colleague in Cc)', () => {
      const theirs = conversation('c-2', 'pending', 'reader-2');
      expect(decide({ threading: EMAIL_LIKE, contact: { conversationId: 'c-2' }, named: theirs })).toMatchObject({
        outcome: 'continue',
        conversation: theirs,
      });
    });

    it('opens a new conversation when the named one is closed', () => {
      expect(
        decide({ threading: EMAIL_LIKE, contact: { conversationId: 'c-2' }, named: conversation('c-2', 'closed') }),
      ).toEqual({ outcome: 'open' });
    });
  });

  describe('silent contacts (machine mail)', () => {
    it('are recorded on the named conversation without a change, even a closed one', () => {
      const closed = conversation('c-2', 'closed');
      expect(
        decide({ threading: EMAIL_LIKE, contact: { conversationId: 'c-2', silent: true }, named: closed }),
      ).toEqual({ outcome: 'record', conversation: closed });
    });

    it('are recorded on the ongoing conversation where the channel continues one', () => {
      const ongoing = conversation('c-1', 'pending');
      expect(decide({ contact: { silent: true }, ongoing })).toEqual({ outcome: 'record', conversation: ongoing });
    });

    it('are refused without a conversation: never open one', () => {
      expect(decide({ threading: EMAIL_LIKE, contact: { silent: true } })).toEqual({ outcome: 'refuse' });
      expect(decide({ contact: { silent: true } })).toEqual({ outcome: 'refuse' });
      expect(decide({ threading: EMAIL_LIKE, contact: { conversationId: 'c-9', silent: true } })).toEqual({
        outcome: 'refuse',
      });
    });

    it('are refused on a named conversation of another reader where only the reader may name', () => {
      const theirs = conversation('c-2', 'open', 'reader-2');
      expect(decide({ contact: { conversationId: 'c-2', silent: true }, named: theirs })).toEqual({
        outcome: 'refuse',
      });
    });
  });

  it('needs the ongoing conversation only without a name, on a channel that continues one', () => {
    expect(needsOngoing({}, CHAT_LIKE)).toBe(true);
    expect(needsOngoing({ conversationId: 'c-1' }, CHAT_LIKE)).toBe(false);
    expect(needsOngoing({}, EMAIL_LIKE)).toBe(false);
  });

  it('clears the snooze of a conversation the reader wakes', () => {
    expect(readerReply(conversation('c-1', 'snoozed'), at)).toMatchObject({
      to: 'open',
      changes: { snoozedUntil: null },
    });
  });
});
