import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { REDIS_COMMAND_TIMEOUT_MS, RedisClients, untilReady } from '../redis/redis-clients';

/** A named domain event with a typed payload. */
export interface EventDefinition<P> {
  readonly name: string;
  /**
   * Delivered in every process of the desk, not only the publisher's: through Redis when the desk
   * runs as separate processes (in the embedded desk there is only one). The payload must survive
   * JSON (no Dates), and delivery elsewhere is best effort: an event published while Redis is away
   * is lost, so whoever reacts keeps a timer as well.
   */
  readonly everyProcess?: boolean;
  /** Type carrier only; never set. */
  readonly payloadType?: P;
}

export function defineEvent<P>(name: string, options: { everyProcess?: boolean } = {}): EventDefinition<P> {
  return options.everyProcess ? { name, everyProcess: true } : { name };
}

export type EventHandler<P> = (payload: P) => Promise<void> | void;

interface Relayed {
  origin: string;
  name: string;
  payload: unknown;
}

/**
 * In-process domain events. `publish` inside a transaction holds the event until the transaction
 * commits (and drops it on rollback), so a subscriber never sees a row that does not exist yet.
 * Handlers run one after another; one that throws is logged and does not stop the others.
 * Events defined `everyProcess` also go out on one Redis channel, which a process listens to once
 * it subscribes to such an event (so an api process, which subscribes to none, holds no listener).
 */
@Injectable()
export class EventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Map<string, Array<EventHandler<unknown>>>();
  private readonly origin = randomUUID();
  private publisher: Redis | null = null;
  private listener: Redis | null = null;
  /** Relayed events leave in publishing order. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: DatabaseService,
    @Optional() @Inject(RedisClients) private readonly redis: RedisClients | null = null,
    @Optional() @Inject(Environment) private readonly env: Environment | null = null,
  ) {}

  private get channel(): string {
    return `${this.env?.QUEUE_PREFIX ?? 'readerdesk'}:events`;
  }

  subscribe<P>(event: EventDefinition<P>, handler: EventHandler<P>): () => void {
    const list = this.handlers.get(event.name) ?? [];
    list.push(handler as EventHandler<unknown>);
    this.handlers.set(event.name, list);
    if (event.everyProcess) this.listen();
    return () => {
      const index = list.indexOf(handler as EventHandler<unknown>);
      if (index >= 0) list.splice(index, 1);
    };
  }

  publish<P>(event: EventDefinition<P>, payload: P): void {
    this.database.afterCommit(() => {
      this.deliver(event.name, payload);
      if (event.everyProcess) this.relay(event.name, payload);
    });
  }

  onApplicationShutdown(): void {
    for (const client of [this.publisher, this.listener]) if (client) this.redis?.release(client);
    this.publisher = this.listener = null;
  }

  private relay(name: string, payload: unknown): void {
    if (!this.redis) return;
    const publisher = (this.publisher ??= this.redis.publisher('events-pub'));
    const text = JSON.stringify({ origin: this.origin, name, payload } satisfies Relayed);
    // A fail-fast client refuses commands until it is connected: the first event after boot waits for the
    // connection (bounded). The publisher reports its own failures (RedisClients.publisher).
    this.sending = this.sending
      .then(() => untilReady(publisher, REDIS_COMMAND_TIMEOUT_MS))
      .then(() => publisher.publish(this.channel, text))
      .then(
        () => undefined,
        () => undefined,
      );
  }

  private listen(): void {
    if (!this.redis || this.listener) return;
    // Waits through an outage: the subscription is renewed when Redis comes back.
    const listener = (this.listener = this.redis.create('events-sub', 'wait'));
    listener.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let message: Relayed;
      try {
        message = JSON.parse(text) as Relayed;
      } catch {
        return;
      }
      // This process delivered its own events already, when they were published.
      if (message.origin === this.origin || typeof message.name !== 'string') return;
      this.deliver(message.name, message.payload);
    });
    listener.subscribe(this.channel).catch((error: unknown) => this.redis?.report('events-sub', error, 'subscribe'));
  }

  /**
   * Starts every handler in subscription order without waiting for the one before: each runs its
   * synchronous part in publishing order (what the socket fanout relies on), and a slow handler (an
   * SLA clock's database work) holds up no other. A handler's failure is logged; it stops nothing.
   */
  private deliver(name: string, payload: unknown): void {
    const failed = (error: unknown): void =>
      this.logger.error(`handler of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        const running = handler(payload);
        if (running) running.catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }
}
