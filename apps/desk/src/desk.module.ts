import { DynamicModule, Module } from '@nestjs/common';
import { Environment, PlatformModule } from '@readerdesk/platform';
import { DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { ApiModule } from '../../api/src/api.module';
import { WorkerModule } from '../../worker/src/worker.module';

/**
 * The whole desk in one process (the embedded default): the API and the worker's handlers share
 * one DataSource and the in-process queue. Also the root the end-to-end tests boot.
 */
@Module({})
export class DeskModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: DeskModule,
      imports: [
        PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions }),
        PersistenceModule,
        ApiModule,
        WorkerModule,
      ],
    };
  }
}
