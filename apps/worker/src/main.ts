import { environmentOrExit, exitOnBootFailure, PlatformModule, startWorker } from '@readerdesk/platform';
import { DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { Module } from '@nestjs/common';
import { RealtimeEmitterModule } from '@readerdesk/realtime';
import { WorkerModule } from './worker.module';

/** Production worker process: consumes the queues, serves no HTTP. */
const env = environmentOrExit('worker');

@Module({
  imports: [
    PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions }),
    PersistenceModule,
    WorkerModule,
    // Events of this process reach the consoles through Redis (the api processes hold the sockets).
    RealtimeEmitterModule,
  ],
})
class WorkerRoot {}

startWorker(WorkerRoot).catch(exitOnBootFailure);
