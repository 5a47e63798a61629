import type {
  Clock,
  DatabaseService,
  Environment,
  EventBus,
  EventDefinition,
  JobContext,
  JobDefinition,
  JobOptions,
  LibraryScope,
  QueueService,
} from '@readerdesk/platform';
import { type ChannelAdapter, delivered, type DeliveryOutcome, type OutboundDelivery } from '../channels/channel-port';
import { ChannelRegistry } from '../channels/channel-registry';
import type { Channel } from '../conversation-status';
import type { Conversation } from '../conversation.entity';
import { MessageAppended, MessageDeliveryChanged } from '../conversation.events';
import type { ConversationRepository } from '../conversation.repository';
import type { Inbox } from '../inbox.entity';
import type { InboxRepository } from '../inbox.repository';
import type { Message, MessageDelivery } from '../message.entity';
import type { MessageRepository } from '../message.repository';
import { AutomaticRepliesService } from './automatic-replies.service';
import { DeliverMessageJob } from './outbox.jobs';
import type { OutboxRepository } from './outbox.repository';
import { ORPHAN_WINDOW_MS, OutboxService, SENDING_LEASE_MS } from './outbox.service';

const LIBRARY = 'lib-1';
const scope = { libraryId: LIBRARY } as LibraryScope;
const NOW = new Date('2026-12-01T12:00:00.000Z');
const context: JobContext = { id: 'job', queue: 'outbox', name: 'deliver', attempt: 1 };

/** A channel whose every delivery answers the next scripted outcome (or throws it). */
class FakeAdapter implements ChannelAdapter {
  readonly threading = { continuesOngoing: false, anySenderMayName: true };
  readonly script: Array<DeliveryOutcome | Error> = [];
  readonly calls: OutboundDelivery[] = [];
  /** Runs as the adapter is called (to see what the database held then). */
  onDeliver: () => void = () => undefined;
  ids = 0;

  outboundExternalId(inbox: Inbox): string {
    this.ids += 1;
    return `<m${this.ids}@${inbox.address}>`;
  }

  deliver(outbound: OutboundDelivery): Promise<DeliveryOutcome> {
    this.calls.push(outbound);
    this.onDeliver();
    const next = this.script.shift() ?? delivered.sent();
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

const deskOnly: ChannelAdapter = { threading: { continuesOngoing: true, anySenderMayName: false } };

function inbox(id: string, channel: Channel): Inbox {
  return { id, libraryId: LIBRARY, channel, address: `${id}.example.org`, name: id } as Inbox;
}

function build() {
  const adapter = new FakeAdapter();
  const rows = new Map<string, Message>();
  const inboxes = [inbox('mail', 'email'), inbox('integration', 'api')];
  const conversation = { id: 'c1', libraryId: LIBRARY, inboxId: 'mail', departmentId: 'd1' } as Conversation;
  const published: Array<{ name: string; payload: unknown }> = [];
  const subscribers = new Map<string, Array<(payload: unknown) => Promise<void> | void>>();
  const enqueued: Array<{ job: string; payload: unknown; options: JobOptions; statusThen: string | null }> = [];
  const sweepQueries: Array<{ inboxIds: string[]; orphansSince: Date }> = [];
  const copy = (m: Message): Message => ({ ...m, data: structuredClone(m.data) });

  const messages = {
    findById: (_: LibraryScope, id: string) => Promise.resolve(rows.has(id) ? copy(rows.get(id)!) : null),
    setDelivery: (_: LibraryScope, message: Message, delivery: MessageDelivery) => {
      const stored = { ...copy(message), data: { ...message.data, delivery }, deliveryStatus: delivery.status };
      rows.set(message.id, { ...stored, externalId: rows.get(message.id)?.externalId ?? stored.externalId });
      return Promise.resolve(copy(stored));
    },
    insert: (_: LibraryScope, ...inserted: Message[]) => {
      for (const m of inserted) rows.set(m.id, copy(m));
      return Promise.resolve(inserted);
    },
  };
  const outbox = {
    claim: (_: LibraryScope, id: string, changes: Pick<Message, 'externalId' | 'deliveryStatus' | 'data'>) => {
      const row = rows.get(id);
      if (!row || row.deliveryStatus !== null) return Promise.resolve(false);
      rows.set(id, { ...row, ...structuredClone(changes) });
      return Promise.resolve(true);
    },
    setExternalId: (_: LibraryScope, id: string, externalId: string) => {
      rows.set(id, { ...rows.get(id)!, externalId });
      return Promise.resolve();
    },
    awaitingDelivery: (_: LibraryScope, inboxIds: string[], orphansSince: Date) => {
      sweepQueries.push({ inboxIds, orphansSince });
      const waiting = [...rows.values()].filter(
        (m) =>
          m.kind === 'outbound' &&
          inboxIds.includes(m.inboxId ?? '') &&
          (m.deliveryStatus === 'queued' ||
            m.deliveryStatus === 'sending' ||
            (m.deliveryStatus === null && m.createdAt >= orphansSince)),
      );
      return Promise.resolve(waiting.map(copy));
    },
    automaticSince: (_: LibraryScope, since: Date) =>
      Promise.resolve(
        [...rows.values()].filter((m) => m.kind === 'outbound' && !m.authorAgentId && m.createdAt >= since),
      ),
    lockUntilCommit: () => Promise.resolve(),
  };
  const events = {
    publish: (definition: EventDefinition<unknown>, payload: unknown) => {
      published.push({ name: definition.name, payload });
      for (const handler of subscribers.get(definition.name) ?? []) void handler(payload);
    },
    subscribe: (definition: EventDefinition<unknown>, handler: (payload: unknown) => Promise<void>) => {
      subscribers.set(definition.name, [...(subscribers.get(definition.name) ?? []), handler]);
      return () => undefined;
    },
  };
  const queue = {
    add: (job: JobDefinition<unknown>, payload: { messageId?: string }, options: JobOptions) => {
      enqueued.push({
        job: job.key,
        payload,
        options,
        statusThen: rows.get(payload.messageId ?? '')?.deliveryStatus ?? null,
      });
      return Promise.resolve(options.jobId ?? 'job');
    },
    schedule: () => Promise.resolve(),
  };
  const env = { DESK_DELIVERY_ATTEMPTS: 3, DESK_DELIVERY_RETRY_BASE_MS: 100, DESK_ROLE: 'all' } as Environment;
  const db = { transaction: <T>(work: () => Promise<T>) => work() } as unknown as DatabaseService;
  const clock: Clock = { now: () => NOW };
  const registry = ChannelRegistry.of({
    email: adapter,
    api: deskOnly,
    sms: deskOnly,
    voice: deskOnly,
    chat: deskOnly,
    video: deskOnly,
  });
  const inboxRepository = {
    findById: (_: LibraryScope, id: string) => Promise.resolve(inboxes.find((i) => i.id === id) ?? null),
    allOfChannel: (channel: Channel) => Promise.resolve(inboxes.filter((i) => i.channel === channel)),
  };
  const conversations = {
    findById: () => Promise.resolve(conversation),
    getById: () => Promise.resolve(conversation),
  };
  const service = new OutboxService(
    env,
    db,
    clock,
    events as unknown as EventBus,
    queue as unknown as QueueService,
    registry,
    inboxRepository as unknown as InboxRepository,
    conversations as unknown as ConversationRepository,
    messages as unknown as MessageRepository,
    outbox as unknown as OutboxRepository,
  );
  const automatic = new AutomaticRepliesService(
    db,
    clock,
    events as unknown as EventBus,
    conversations as unknown as ConversationRepository,
    messages as unknown as MessageRepository,
    outbox as unknown as OutboxRepository,
    service,
  );

  let next = 0;
  const add = (fields: Partial<Message> = {}): Message => {
    next += 1;
    const message = {
      id: `msg-${next}`,
      libraryId: LIBRARY,
      conversationId: 'c1',
      inboxId: 'mail',
      kind: 'outbound',
      externalId: null,
      authorAgentId: 'agent-1',
      text: 'Yes, on microfilm.',
      deliveryStatus: null,
      data: {},
      createdAt: NOW,
      ...fields,
    } as Message;
    rows.set(message.id, message);
    return message;
  };
  const queued = (attempts = 0): Message =>
    add({
      externalId: '<given@mail.example.org>',
      deliveryStatus: 'queued',
      data: { delivery: { status: 'queued', attempts, error: null, at: NOW.toISOString() } },
    });
  /** A message whose attempt `attempts` began `ago` ms before now and has no outcome yet. */
  const sending = (attempts: number, ago: number): Message =>
    add({
      externalId: '<given@mail.example.org>',
      deliveryStatus: 'sending',
      data: {
        delivery: { status: 'sending', attempts, error: null, at: new Date(NOW.getTime() - ago).toISOString() },
      },
    });
  const delivery = (id: string) => rows.get(id)?.data.delivery as MessageDelivery | undefined;
  const changes = () =>
    published
      .filter((p) => p.name === MessageDeliveryChanged.name)
      .map((p) => (p.payload as { messageId: string; delivery: MessageDelivery }).delivery);
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  return {
    service,
    automatic,
    events,
    adapter,
    rows,
    enqueued,
    published,
    sweepQueries,
    add,
    queued,
    sending,
    delivery,
    changes,
    flush,
  };
}

describe('OutboxService', () => {
  it('claims an outbound message on MessageAppended: external id and queued in the database before the job', async () => {
    const t = build();
    t.service.onModuleInit();
    const message = t.add();
    t.events.publish(MessageAppended, {
      libraryId: LIBRARY,
      conversationId: 'c1',
      messageId: message.id,
      kind: 'outbound',
      departmentId: 'd1',
    });
    await t.flush();

    const row = t.rows.get(message.id)!;
    expect(row.externalId).toBe('<m1@mail.example.org>');
    expect(row.deliveryStatus).toBe('queued');
    expect(row.data.delivery).toEqual({ status: 'queued', attempts: 0, error: null, at: NOW.toISOString() });
    expect(t.enqueued).toEqual([
      {
        job: DeliverMessageJob.key,
        payload: { libraryId: LIBRARY, messageId: message.id },
        options: { jobId: message.id, attempts: 3, backoff: { type: 'exponential', delayMs: 100 } },
        statusThen: 'queued',
      },
    ]);
    expect(t.changes()).toEqual([{ status: 'queued', attempts: 0, error: null, at: NOW.toISOString() }]);
  });

  it('claims once when two takers race: one external id, one event, the same job id', async () => {
    const t = build();
    const message = t.add();
    await Promise.all([t.service.take(scope, message.id), t.service.take(scope, message.id)]);

    expect(t.rows.get(message.id)!.externalId).toMatch(/^<m[12]@mail\.example\.org>$/);
    expect(t.changes()).toHaveLength(1);
    expect(new Set(t.enqueued.map((e) => e.options.jobId))).toEqual(new Set([message.id]));
  });

  it('leaves alone inbound messages, channels without deliver(), and messages already sent or failed', async () => {
    const t = build();
    const inbound = t.add({ kind: 'inbound' });
    const onApi = t.add({ inboxId: 'integration' });
    const sent = t.add({ deliveryStatus: 'sent' });
    for (const m of [inbound, onApi, sent]) await t.service.take(scope, m.id);

    expect(t.enqueued).toEqual([]);
    expect(t.changes()).toEqual([]);
    expect(t.rows.get(onApi.id)!.deliveryStatus).toBeNull();
    expect(t.rows.get(onApi.id)!.externalId).toBeNull();
  });

  it('records sent with the channel detail under data[channel] and the external id it returns', async () => {
    const t = build();
    const message = t.queued();
    t.adapter.script.push(delivered.sent('<smtp-id@relay>', { response: '250 OK', to: ['maria@example.org'] }));
    await t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context);

    const row = t.rows.get(message.id)!;
    expect(row.deliveryStatus).toBe('sent');
    expect(t.delivery(message.id)).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(row.data.email).toEqual({ response: '250 OK', to: ['maria@example.org'] });
    expect(row.externalId).toBe('<smtp-id@relay>');
    expect(t.adapter.calls[0]).toMatchObject({ attempt: 1, maxAttempts: 3, inbox: { id: 'mail' } });
    expect(t.changes().map((d) => d.status)).toEqual(['sent']);
  });

  it('counts attempts in the database on retry, throws for the queue, and gives up at the last attempt', async () => {
    const t = build();
    const message = t.queued();
    t.adapter.script.push(delivered.retry('451 busy'), new Error('connection refused'), delivered.retry('451 still'));

    await expect(t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context)).rejects.toThrow('451 busy');
    expect(t.delivery(message.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'attempt 1 of 3 failed, will try again: 451 busy',
    });
    await expect(t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context)).rejects.toThrow(
      'connection refused',
    );
    expect(t.delivery(message.id)).toMatchObject({
      status: 'queued',
      attempts: 2,
      error: 'attempt 2 of 3 failed, will try again: connection refused',
    });
    await t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context);

    expect(t.rows.get(message.id)!.deliveryStatus).toBe('failed');
    expect(t.delivery(message.id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'gave up after 3 attempts: 451 still',
    });
    expect(t.adapter.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(t.changes().map((d) => d.status)).toEqual(['queued', 'queued', 'failed']);
  });

  it('fails at once with the reason the channel gives, without retrying', async () => {
    const t = build();
    const message = t.queued();
    t.adapter.script.push(delivered.failed('550 no such user'));
    await t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context);

    expect(t.delivery(message.id)).toMatchObject({ status: 'failed', attempts: 1, error: '550 no such user' });
    // A later run (a sweep's leftover job) finds it failed and sends nothing.
    await t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context);
    expect(t.adapter.calls).toHaveLength(1);
  });

  it('delivers nothing unless the message is queued', async () => {
    const t = build();
    const never = t.add();
    const sent = t.add({ deliveryStatus: 'sent' });
    for (const m of [never, sent]) await t.service.deliver({ libraryId: LIBRARY, messageId: m.id }, context);
    await t.service.deliver({ libraryId: LIBRARY, messageId: 'gone' }, context);

    expect(t.adapter.calls).toEqual([]);
    expect(t.changes()).toEqual([]);
  });

  it('records the attempt as sending before the adapter is called, and announces only its outcome', async () => {
    const t = build();
    const message = t.queued(1);
    const atCall: Array<MessageDelivery | undefined> = [];
    t.adapter.onDeliver = () => atCall.push(t.delivery(message.id));
    await t.service.deliver({ libraryId: LIBRARY, messageId: message.id }, context);

    expect(atCall).toEqual([{ status: 'sending', attempts: 2, error: null, at: NOW.toISOString() }]);
    expect(t.rows.get(message.id)!.deliveryStatus).toBe('sent');
    expect(t.delivery(message.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(t.changes().map((d) => d.status)).toEqual(['sent']);
  });

  it('leaves a message another worker is sending alone; after its lease, sends it again as the next attempt', async () => {
    const t = build();
    const live = t.sending(1, SENDING_LEASE_MS - 1000);
    const lost = t.sending(1, SENDING_LEASE_MS + 1000);
    await t.service.deliver({ libraryId: LIBRARY, messageId: live.id }, context);
    expect(t.adapter.calls).toEqual([]);
    expect(t.delivery(live.id)).toMatchObject({ status: 'sending', attempts: 1 });

    // The worker of `lost` died mid-attempt: at least once, with the same external id.
    await t.service.deliver({ libraryId: LIBRARY, messageId: lost.id }, context);
    expect(t.adapter.calls.map((c) => [c.message.id, c.message.externalId, c.attempt])).toEqual([
      [lost.id, '<given@mail.example.org>', 2],
    ]);
    expect(t.delivery(lost.id)).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(t.changes().map((d) => d.status)).toEqual(['sent']);
  });

  it('fails a message whose last attempt’s worker died, for staff to check, without sending it again', async () => {
    const t = build();
    const lost = t.sending(3, SENDING_LEASE_MS + 1000);
    await t.service.deliver({ libraryId: LIBRARY, messageId: lost.id }, context);

    expect(t.adapter.calls).toEqual([]);
    expect(t.delivery(lost.id)).toEqual({
      status: 'failed',
      attempts: 3,
      error: 'attempt 3 of 3 stopped without an answer (its worker died); the channel may have taken it',
      at: NOW.toISOString(),
    });
    expect(t.changes().map((d) => d.status)).toEqual(['failed']);
  });

  it('sweeps: re-enqueues queued and sending messages and claims recent unclaimed ones of delivering channels only', async () => {
    const t = build();
    const waiting = t.queued(2);
    const stalled = t.sending(1, SENDING_LEASE_MS + 1000);
    const orphan = t.add({ createdAt: new Date(NOW.getTime() - 60_000) });
    const ancient = t.add({ createdAt: new Date(NOW.getTime() - ORPHAN_WINDOW_MS - 1) });
    const onApi = t.add({ inboxId: 'integration' });

    expect(await t.service.sweep()).toBe(3);
    expect(t.sweepQueries).toEqual([{ inboxIds: ['mail'], orphansSince: new Date(NOW.getTime() - ORPHAN_WINDOW_MS) }]);
    expect(t.enqueued.map((e) => e.options.jobId).sort()).toEqual([orphan.id, waiting.id, stalled.id].sort());
    expect(t.rows.get(orphan.id)!.deliveryStatus).toBe('queued');
    expect(t.rows.get(orphan.id)!.externalId).toBe('<m1@mail.example.org>');
    expect(t.delivery(waiting.id)?.attempts).toBe(2);
    expect(t.rows.get(ancient.id)!.deliveryStatus).toBeNull();
    expect(t.rows.get(onApi.id)!.deliveryStatus).toBeNull();
  });

  it('marks a failure reported later (a bounce) failed with its reason, keeping the attempts', async () => {
    const t = build();
    const message = t.add({
      externalId: '<sent@mail.example.org>',
      deliveryStatus: 'sent',
      data: { delivery: { status: 'sent', attempts: 2, error: null, at: NOW.toISOString() } },
    });
    await t.service.reportFailure(scope, message, 'Bounced for maria@example.org: 550 5.1.1');

    expect(t.delivery(message.id)).toEqual({
      status: 'failed',
      attempts: 2,
      error: 'Bounced for maria@example.org: 550 5.1.1',
      at: NOW.toISOString(),
    });
    expect(t.changes().map((d) => d.status)).toEqual(['failed']);
  });
});

describe('AutomaticRepliesService', () => {
  it('records an authorless outbound message for the outbox, at most one per key within the window', async () => {
    const t = build();
    t.service.onModuleInit();
    const reply = (key: string) =>
      t.automatic.record(scope, {
        conversationId: 'c1',
        text: 'We received your question',
        data: { acknowledgement: true },
        oncePer: { key, withinMs: 60 * 60 * 1000 },
      });

    const first = await reply('acknowledgement:maria@example.org');
    await t.flush();
    // Claimed with the recording: returned with its external id and state.
    expect(first).toMatchObject({
      kind: 'outbound',
      authorAgentId: null,
      inboxId: 'mail',
      externalId: '<m1@mail.example.org>',
      deliveryStatus: 'queued',
    });
    expect(t.rows.get(first!.id)!.data.acknowledgement).toBe(true);
    // The outbox took it like any reply.
    expect(t.rows.get(first!.id)!.deliveryStatus).toBe('queued');
    expect(t.enqueued.map((e) => e.options.jobId)).toEqual([first!.id]);

    expect(await reply('acknowledgement:maria@example.org')).toBeNull();
    expect(await reply('acknowledgement:ahmed@example.org')).not.toBeNull();
  });
});
