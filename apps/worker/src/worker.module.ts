import { Module } from '@nestjs/common';
import { EmailWorkerModule } from '@readerdesk/channels';
import { OffersModule } from '@readerdesk/offers';
import { RoutingModule } from '@readerdesk/routing';
import { QueueStatsModule } from '@readerdesk/queue-stats';
import { SlaModule } from '@readerdesk/sla';

/**
 * The job handlers and channel listeners: mail fetching, sending, the SMTP listener, SLA timers and
 * their sweep, offers' timers and their sweep, the queue statistics' rollup (its events happen here too); ILS
 * refresh and retention join here as they arrive. Routing is here because the worker
 * ingests mail: its contacts are routed like the api's. Boot fails if any defined job lacks its one handler.
 */
@Module({ imports: [EmailWorkerModule, RoutingModule, SlaModule, OffersModule, QueueStatsModule] })
export class WorkerModule {}
