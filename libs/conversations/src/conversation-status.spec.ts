import { afterReaderReply, afterStaffReply, assertMove, canMove, CONVERSATION_STATUSES } from './conversation-status';

describe('conversation status machine', () => {
  it('follows new → open → pending → resolved → closed', () => {
    expect(canMove('new', 'open')).toBe(true);
    expect(canMove('open', 'pending')).toBe(true);
    expect(canMove('pending', 'resolved')).toBe(true);
    expect(canMove('resolved', 'closed')).toBe(true);
  });

  it('never leaves closed, and closes only what is resolved', () => {
    for (const to of CONVERSATION_STATUSES) expect(canMove('closed', to)).toBe(false);
    for (const from of ['new', 'open', 'pending', 'snoozed'] as const) expect(canMove(from, 'closed')).toBe(false);
    expect(() => assertMove('open', 'closed')).toThrow(
      expect.objectContaining({ code: 'invalid_status_change', status: 409 }),
    );
  });

  it('reopens on a reader reply, except a closed conversation which needs a new one', () => {
    expect(afterReaderReply('pending')).toBe('open');
    expect(afterReaderReply('resolved')).toBe('open');
    expect(afterReaderReply('snoozed')).toBe('open');
    expect(afterReaderReply('new')).toBe('new');
    expect(afterReaderReply('closed')).toBeNull();
  });

  it('waits on the reader after a staff reply', () => {
    expect(afterStaffReply('new')).toBe('pending');
    expect(afterStaffReply('open')).toBe('pending');
    expect(afterStaffReply('resolved')).toBe('resolved');
  });

  it('does not allow a move to the same status', () => {
    for (const s of CONVERSATION_STATUSES) expect(canMove(s, s)).toBe(false);
  });
});
