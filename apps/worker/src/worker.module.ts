import { Module } from '@nestjs/common';
import { EmailWorkerModule } from '@readerdesk/channels';

/**
 * The job handlers and channel listeners: mail fetching, sending and the SMTP listener now; SLA
 * timers, ILS refresh and retention join here as they arrive. Boot fails if any defined job lacks
 * its one handler.
 */
@Module({ imports: [EmailWorkerModule] })
export class WorkerModule {}
