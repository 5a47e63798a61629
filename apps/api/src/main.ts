import { environmentOrExit, exitOnBootFailure, PlatformModule, startHttp } from '@readerdesk/platform';
import { DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { Module } from '@nestjs/common';
import { ApiModule } from './api.module';

/** Production API process: HTTP only; jobs it adds are run by worker processes through Redis. */
const env = environmentOrExit('api');

@Module({ imports: [PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions }), PersistenceModule, ApiModule] })
class ApiRoot {}

startHttp(env, ApiRoot).catch(exitOnBootFailure);
