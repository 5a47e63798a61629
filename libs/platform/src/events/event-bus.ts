import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

/** A named domain event with a typed payload. */
export interface EventDefinition<P> {
  readonly name: string;
  /** Type carrier only; never set. */
  readonly payloadType?: P;
}

export function defineEvent<P>(name: string): EventDefinition<P> {
  return { name };
}

export type EventHandler<P> = (payload: P) => Promise<void> | void;

/**
 * In-process domain events. `publish` inside a transaction holds the event until the transaction
 * commits (and drops it on rollback), so a subscriber never sees a row that does not exist yet.
 * Handlers run one after another; one that throws is logged and does not stop the others.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Map<string, Array<EventHandler<unknown>>>();

  constructor(private readonly database: DatabaseService) {}

  subscribe<P>(event: EventDefinition<P>, handler: EventHandler<P>): () => void {
    const list = this.handlers.get(event.name) ?? [];
    list.push(handler as EventHandler<unknown>);
    this.handlers.set(event.name, list);
    return () => {
      const index = list.indexOf(handler as EventHandler<unknown>);
      if (index >= 0) list.splice(index, 1);
    };
  }

  publish<P>(event: EventDefinition<P>, payload: P): void {
    this.database.afterCommit(() => {
      void this.deliver(event.name, payload);
    });
  }

  private async deliver(name: string, payload: unknown): Promise<void> {
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        await handler(payload);
      } catch (error) {
        this.logger.error(`handler of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
