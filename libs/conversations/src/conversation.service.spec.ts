import { DatabaseService, EventBus, libraryScope, NotFoundError } from '@readerdesk/platform';
import type { StaffDirectory, StaffMember } from '@readerdesk/staff';
import { type Actor, staffActor, systemActor } from './actor';
import type { AttachmentService } from './attachment.service';
import type { Conversation } from './conversation.entity';
import { MessageAppended } from './conversation.events';
import type { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import type { Message } from './message.entity';
import type { MessageRepository } from './message.repository';

const scope = libraryScope('library-1');
const NOW = new Date('2026-03-02T10:00:00Z');
const CIRCULATION = 'dept-circulation';
const REFERENCE = 'dept-reference';

/** The members of staff of the library, by id. */
const staff: Record<string, StaffMember> = {
  ana: { id: 'ana', role: 'agent', active: true, departmentIds: [CIRCULATION] },
  ben: { id: 'ben', role: 'agent', active: true, departmentIds: [CIRCULATION, REFERENCE] },
  cora: { id: 'cora', role: 'agent', active: true, departmentIds: [REFERENCE] },
  gone: { id: 'gone', role: 'agent', active: false, departmentIds: [CIRCULATION] },
  sam: { id: 'sam', role: 'supervisor', active: true, departmentIds: [CIRCULATION] },
  root: { id: 'root', role: 'administrator', active: true, departmentIds: [] },
};
const as = (id: string): Actor => staffActor({ agentId: id, role: staff[id].role });

function setUp(seed: Partial<Conversation> = {}) {
  const conversation = {
    id: 'conv-1',
    libraryId: scope.libraryId,
    inboxId: 'inbox-1',
    departmentId: CIRCULATION,
    assigneeId: null,
    status: 'open',
    priority: 'normal',
    subject: 'Overdue fines',
    tags: [],
    snoozedUntil: null,
    readLevel: null,
    questionType: null,
    resolvedAt: null,
    waitingSince: NOW,
    ...seed,
  } as unknown as Conversation;
  const timeline: Message[] = [];
  const published: Array<{ name: string; payload: unknown }> = [];
  const conversations = {
    getById: jest.fn(async () => ({ ...conversation })),
    update: jest.fn(async (_scope: unknown, _id: string, changes: Partial<Conversation>) => {
      Object.assign(conversation, changes);
    }),
  };
  const messages = {
    insert: jest.fn(async (_scope: unknown, row: Message) => {
      timeline.push(row);
      return [row];
    }),
  };
  const directory = {
    member: jest.fn(async (_scope: unknown, id: string) => staff[id] ?? null),
    assertDepartmentsExist: jest.fn(async (_scope: unknown, ids: readonly string[]) => {
      const missing = ids.filter((id) => id !== CIRCULATION && id !== REFERENCE);
      if (missing.length > 0) throw new NotFoundError(`Department ${missing.join(', ')}`);
    }),
  };
  const db = { transaction: <T>(work: () => Promise<T>) => work() };
  // What the consoles are told about the conversation itself (each timeline row also sends MessageAppended).
  const events = {
    publish: (event: { name: string }, payload: unknown) => {
      if (event.name !== MessageAppended.name) published.push({ name: event.name, payload });
    },
  };
  const service = new ConversationService(
    db as unknown as DatabaseService,
    events as unknown as EventBus,
    { now: () => NOW },
    conversations as unknown as ConversationRepository,
    messages as unknown as MessageRepository,
    { attachUploads: async () => undefined } as unknown as AttachmentService,
    directory as unknown as StaffDirectory,
  );
  return { service, conversation, timeline, published, conversations };
}

const refused = (code: string, status: number): Error => expect.objectContaining({ code, status }) as Error;

describe('ConversationService: assignment', () => {
  it('lets an agent take an unassigned conversation of their department, and records it', async () => {
    const { service, timeline, published } = setUp();
    const updated = await service.assign(scope, 'conv-1', as('ana'), 'ana');
    expect(updated.assigneeId).toBe('ana');
    expect(timeline.map((m) => [m.kind, m.authorAgentId, m.data])).toEqual([
      ['event', 'ana', { type: 'assigned', from: null, to: 'ana' }],
    ]);
    expect(published).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ assigneeId: 'ana', changed: ['assigneeId'] }) }),
    ]);
  });

  it('lets an agent release their own conversation', async () => {
    const { service } = setUp({ assigneeId: 'ana' });
    expect((await service.release(scope, 'conv-1', as('ana'))).assigneeId).toBeNull();
  });

  it('refuses an agent who assigns someone else, takes a colleague’s or releases one not theirs', async () => {
    const forbidden = refused('assignment_forbidden', 403);
    await expect(setUp().service.assign(scope, 'conv-1', as('ana'), 'ben')).rejects.toThrow(forbidden);
    await expect(setUp({ assigneeId: 'ben' }).service.assign(scope, 'conv-1', as('ana'), 'ana')).rejects.toThrow(
      forbidden,
    );
    await expect(setUp({ assigneeId: 'ben' }).service.release(scope, 'conv-1', as('ana'))).rejects.toThrow(forbidden);
  });

  it('lets a supervisor assign and reassign anyone of the department', async () => {
    const { service, timeline } = setUp({ assigneeId: 'ana' });
    expect((await service.assign(scope, 'conv-1', as('sam'), 'ben')).assigneeId).toBe('ben');
    expect(timeline[0].data).toEqual({ type: 'assigned', from: 'ana', to: 'ben' });
  });

  it('refuses an inactive member of staff, or one of another library, as assignee', async () => {
    const unknown = refused('unknown_assignee', 400);
    await expect(setUp().service.assign(scope, 'conv-1', as('sam'), 'gone')).rejects.toThrow(unknown);
    await expect(setUp().service.assign(scope, 'conv-1', as('sam'), 'someone-elsewhere')).rejects.toThrow(unknown);
  });

  it('refuses an assignee who does not work in the conversation’s department, also for an agent taking it', async () => {
    const outside = refused('assignee_not_in_department', 400);
    await expect(setUp().service.assign(scope, 'conv-1', as('sam'), 'cora')).rejects.toThrow(outside);
    await expect(setUp().service.assign(scope, 'conv-1', as('cora'), 'cora')).rejects.toThrow(outside);
  });

  it('takes an administrator as assignee in any department, and anyone for a conversation in triage', async () => {
    expect((await setUp().service.assign(scope, 'conv-1', as('sam'), 'root')).assigneeId).toBe('root');
    expect((await setUp({ departmentId: null }).service.assign(scope, 'conv-1', as('sam'), 'cora')).assigneeId).toBe(
      'cora',
    );
  });

  it('records nothing when the assignee does not change', async () => {
    const { service, timeline, published } = setUp({ assigneeId: 'ana' });
    await service.assign(scope, 'conv-1', as('ana'), 'ana');
    expect(timeline).toEqual([]);
    expect(published).toEqual([]);
  });

  it('lets the system assign and release anyone, but only members of the department', async () => {
    const routing = systemActor('routing');
    const { service, timeline } = setUp({ assigneeId: 'ana' });
    expect((await service.assign(scope, 'conv-1', routing, 'ben')).assigneeId).toBe('ben');
    expect(timeline[0]).toMatchObject({
      authorAgentId: null,
      data: { type: 'assigned', from: 'ana', to: 'ben', system: 'routing' },
    });
    expect((await service.release(scope, 'conv-1', systemActor('sla'))).assigneeId).toBeNull();
    await expect(setUp().service.assign(scope, 'conv-1', routing, 'cora')).rejects.toThrow(
      refused('assignee_not_in_department', 400),
    );
    await expect(setUp().service.assign(scope, 'conv-1', routing, 'gone')).rejects.toThrow(
      refused('unknown_assignee', 400),
    );
  });
});

describe('ConversationService: transfer', () => {
  it('keeps an assignee who works in the new department too', async () => {
    const { service, timeline } = setUp({ assigneeId: 'ben' });
    const updated = await service.transfer(scope, 'conv-1', as('ben'), REFERENCE);
    expect(updated).toMatchObject({ departmentId: REFERENCE, assigneeId: 'ben' });
    expect(timeline.map((m) => m.data)).toEqual([{ type: 'transferred', from: CIRCULATION, to: REFERENCE }]);
  });

  it('drops an assignee who does not, and leaves the note for the colleagues there', async () => {
    const { service, timeline, published } = setUp({ assigneeId: 'ana' });
    const updated = await service.transfer(scope, 'conv-1', as('ana'), REFERENCE, { note: '  Needs the archive  ' });
    expect(updated).toMatchObject({ departmentId: REFERENCE, assigneeId: null });
    expect(timeline.map((m) => [m.kind, m.text, m.data])).toEqual([
      ['event', null, { type: 'transferred', from: CIRCULATION, to: REFERENCE, unassigned: 'ana' }],
      ['note', 'Needs the archive', {}],
    ]);
    expect(published[0].payload).toMatchObject({
      previousDepartmentId: CIRCULATION,
      departmentId: REFERENCE,
      changed: ['departmentId', 'assigneeId'],
    });
  });

  it('keeps an administrator as assignee anywhere', async () => {
    const { service } = setUp({ assigneeId: 'root' });
    expect((await service.transfer(scope, 'conv-1', as('sam'), REFERENCE)).assigneeId).toBe('root');
  });

  it('answers 404 for a department the library does not have, and changes nothing', async () => {
    const { service, conversations } = setUp();
    await expect(service.transfer(scope, 'conv-1', as('sam'), 'dept-nowhere')).rejects.toThrow(
      refused('not_found', 404),
    );
    expect(conversations.update).not.toHaveBeenCalled();
  });

  it('records a transfer by the system with its name and no author', async () => {
    const { service, timeline } = setUp();
    await service.transfer(scope, 'conv-1', systemActor('routing'), REFERENCE);
    expect(timeline[0]).toMatchObject({ authorAgentId: null, data: { type: 'transferred', system: 'routing' } });
  });
});

describe('ConversationService: status changes', () => {
  it('snoozes only until a time in the future', async () => {
    const past = new Date(NOW.getTime() - 1);
    await expect(setUp().service.changeStatus(scope, 'conv-1', { to: 'snoozed', actor: as('ana') })).rejects.toThrow(
      refused('snooze_needs_future_time', 400),
    );
    await expect(
      setUp().service.changeStatus(scope, 'conv-1', { to: 'snoozed', actor: as('ana'), snoozedUntil: past }),
    ).rejects.toThrow(refused('snooze_needs_future_time', 400));
    const until = new Date(NOW.getTime() + 3_600_000);
    const updated = await setUp().service.changeStatus(scope, 'conv-1', {
      to: 'snoozed',
      actor: as('ana'),
      snoozedUntil: until,
    });
    expect(updated).toMatchObject({ status: 'snoozed', snoozedUntil: until });
  });

  it('resolves only with the READ level and the question type', async () => {
    const resolution = refused('resolution_needs_statistics', 400);
    await expect(
      setUp().service.changeStatus(scope, 'conv-1', { to: 'resolved', actor: as('ana'), readLevel: 2 }),
    ).rejects.toThrow(resolution);
    await expect(
      setUp().service.changeStatus(scope, 'conv-1', { to: 'resolved', actor: as('ana'), questionType: 'research' }),
    ).rejects.toThrow(resolution);
    const { service, timeline, published } = setUp();
    const updated = await service.changeStatus(scope, 'conv-1', {
      to: 'resolved',
      actor: as('ana'),
      readLevel: 3,
      questionType: 'research',
    });
    expect(updated).toMatchObject({ status: 'resolved', readLevel: 3, questionType: 'research', resolvedAt: NOW });
    expect(updated.waitingSince).toBeNull();
    expect(timeline[0]).toMatchObject({
      authorAgentId: 'ana',
      data: { type: 'status_changed', from: 'open', to: 'resolved' },
    });
    expect(published[0].payload).toMatchObject({ from: 'open', to: 'resolved', actorAgentId: 'ana' });
  });

  it('refuses moves the status machine does not allow', async () => {
    await expect(setUp().service.changeStatus(scope, 'conv-1', { to: 'closed', actor: as('ana') })).rejects.toThrow(
      refused('invalid_status_change', 409),
    );
  });

  it('reopens a resolved conversation as waiting again', async () => {
    const { service } = setUp({ status: 'resolved', resolvedAt: NOW, waitingSince: null });
    const updated = await service.changeStatus(scope, 'conv-1', { to: 'open', actor: as('ana') });
    expect(updated).toMatchObject({ status: 'open', resolvedAt: null, waitingSince: NOW });
  });

  it('records a change by the system with its name and no author (and the older actorAgentId spelling)', async () => {
    const { service, timeline, published } = setUp({ status: 'snoozed' });
    await service.changeStatus(scope, 'conv-1', { to: 'open', actor: systemActor('sla') });
    expect(timeline[0]).toMatchObject({ authorAgentId: null, data: { type: 'status_changed', system: 'sla' } });
    expect(published[0].payload).toMatchObject({ actorAgentId: null });
    const older = setUp();
    await older.service.changeStatus(scope, 'conv-1', { to: 'pending', actorAgentId: 'ben' });
    expect(older.timeline[0].authorAgentId).toBe('ben');
  });
});
