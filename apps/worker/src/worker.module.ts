import { Module } from '@nestjs/common';
import { EmailWorkerModule } from '@readerdesk/channels';
import { SlaModule } from '@readerdesk/sla';

/**
 * The job handlers and channel listeners: mail fetching, sending, the SMTP listener, SLA
 * timers and their sweep; ILS refresh and retention join here as they arrive. Boot fails if any defined job lacks
 * its one handler.
 */
@Module({ imports: [EmailWorkerModule, SlaModule] })
export class WorkerModule {}
