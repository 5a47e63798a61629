import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Environment } from '../config/environment';
import { BullMqQueueDriver } from './bullmq.driver';
import { InProcessQueueDriver } from './in-process.driver';
import { QueueDriver } from './queue-driver';
import { QUEUE_OPTIONS, QueueModuleOptions, QueueService } from './queue.service';
import { RedisClients } from '../redis/redis-clients';

/** The process's Redis connections (queue, socket.io adapter, emitter), or null in the embedded mode. */
export function createRedisClients(env: Environment): RedisClients | null {
  return env.REDIS_URL ? new RedisClients(env.REDIS_URL, `readerdesk-${env.DESK_ROLE}`) : null;
}

export function createQueueDriver(env: Environment, redis: RedisClients | null): QueueDriver {
  return redis ? new BullMqQueueDriver(redis, env.QUEUE_PREFIX) : new InProcessQueueDriver();
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
        { provide: RedisClients, useFactory: createRedisClients, inject: [Environment] },
        { provide: QueueDriver, useFactory: createQueueDriver, inject: [Environment, RedisClients] },
        QueueService,
      ],
      exports: [QueueService, QueueDriver, RedisClients],
    };
  }
}
