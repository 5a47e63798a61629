import { Module } from '@nestjs/common';
import { EmailWorkerModule } from '@readerdesk/channels';
import { RoutingModule } from '@readerdesk/routing';

/**
 * The job handlers and channel listeners: mail fetching, sending and the SMTP listener now; SLA
 * timers, ILS refresh and retention join here as they arrive. Routing is here because the worker
 * ingests mail: its contacts are routed like the api's. Boot fails if any defined job lacks
 * its one handler.
 */
@Module({ imports: [EmailWorkerModule, RoutingModule] })
export class WorkerModule {}
