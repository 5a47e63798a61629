import { Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { Environment, socketIoRedisKey } from '@readerdesk/platform';
import { StaffModule } from '@readerdesk/staff';
import { Emitter } from '@socket.io/redis-emitter';
import IORedis from 'ioredis';
import { RealtimeFanout } from './realtime.fanout';

/** In a process without sockets (the worker), console events travel to the api's sockets through Redis. */
@Injectable()
class RedisEmitterTarget implements OnModuleInit, OnApplicationShutdown {
  private redis: IORedis | null = null;

  constructor(
    private readonly env: Environment,
    private readonly fanout: RealtimeFanout,
  ) {}

  onModuleInit(): void {
    if (!this.env.REDIS_URL) return; // a worker always has Redis; without it there is nobody to reach
    this.redis = new IORedis(this.env.REDIS_URL);
    this.redis.on('error', () => undefined);
    this.fanout.attach(new Emitter(this.redis, { key: socketIoRedisKey(this.env) }));
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}

@Module({ imports: [StaffModule, ConversationsModule], providers: [RealtimeFanout, RedisEmitterTarget] })
export class RealtimeEmitterModule {}
