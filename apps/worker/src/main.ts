import { environmentOrExit, exitOnBootFailure, PlatformModule, startWorker } from '@readerdesk/platform';
import { DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { Module } from '@nestjs/common';
import { WorkerModule } from './worker.module';

/** Production worker process: consumes the queues, serves no HTTP. */
const env = environmentOrExit('worker');

@Module({
  imports: [PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions }), PersistenceModule, WorkerModule],
})
class WorkerRoot {}

startWorker(WorkerRoot).catch(exitOnBootFailure);
