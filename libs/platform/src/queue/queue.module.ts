import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Environment } from '../config/environment';
import { BullMqQueueDriver } from './bullmq.driver';
import { InProcessQueueDriver } from './in-process.driver';
import { QueueDriver } from './queue-driver';
import { QUEUE_OPTIONS, QueueModuleOptions, QueueService } from './queue.service';

export function createQueueDriver(env: Environment): QueueDriver {
  return env.REDIS_URL ? new BullMqQueueDriver(env.REDIS_URL, env.QUEUE_PREFIX) : new InProcessQueueDriver();
}

@Global()
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions = {}): DynamicModule {
    return {
      module: QueueModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: QUEUE_OPTIONS, useValue: options },
        { provide: QueueDriver, useFactory: createQueueDriver, inject: [Environment] },
        QueueService,
      ],
      exports: [QueueService, QueueDriver],
    };
  }
}
