import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Clock } from './clock';
import { SecretBox } from './crypto/secret-box';
import { ConfigModule } from './config/config.module';
import { Environment, loadEnvironment } from './config/environment';
import { DatabaseService, DataSourceOptionsFactory } from './database/database.service';
import { EventBus } from './events/event-bus';
import { HealthController } from './health/health.controller';
import { MetricsService } from './health/metrics.service';
import { LoggingModule } from './logging/logging.module';
import { QueueModule } from './queue/queue.module';
import { QueueModuleOptions } from './queue/queue.service';
import { StorageModule } from './storage/storage.module';

export interface PlatformOptions {
  /** Defaults to the validated process environment. */
  env?: Environment;
  /** How to reach the database (the persistence library provides it). */
  dataSource: Type<DataSourceOptionsFactory>;
  queue?: QueueModuleOptions;
}

/** Configuration, logging, database, events, queue, blob storage, health and metrics: what every app is built on. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const env = options.env ?? loadEnvironment();
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggingModule.forRoot(),
        QueueModule.forRoot(options.queue),
        StorageModule.forRoot(),
        // Not ready is an answer (503, naming the dependency, logged at info with the request), not an error to log.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: DataSourceOptionsFactory, useClass: options.dataSource },
        DatabaseService,
        EventBus,
        MetricsService,
        Clock,
        SecretBox,
      ],
      exports: [DatabaseService, EventBus, MetricsService, Clock, SecretBox],
    };
  }
}
