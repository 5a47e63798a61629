import { Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { Environment, RedisClients, socketIoRedisKey } from '@readerdesk/platform';
import { StaffModule } from '@readerdesk/staff';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { RealtimeFanout } from './realtime.fanout';

/** In a process without sockets (the worker), console events travel to the api's sockets through Redis. */
@Injectable()
class RedisEmitterTarget implements OnModuleInit, OnApplicationShutdown {
  private redis: Redis | null = null;

  constructor(
    private readonly env: Environment,
    private readonly fanout: RealtimeFanout,
    @Optional() @Inject(RedisClients) private readonly clients: RedisClients | null,
  ) {}

  onModuleInit(): void {
    if (!this.clients) return; // a worker always has Redis; without it there is nobody to reach
    // Fails fast and never rejects unhandled: events while Redis is away are dropped, not queued.
    this.redis = this.clients.publisher('socket.io-emitter');
    this.fanout.attach(new Emitter(this.redis, { key: socketIoRedisKey(this.env) }));
  }

  onApplicationShutdown(): void {
    if (this.redis) this.clients?.release(this.redis);
  }
}

@Module({ imports: [StaffModule, ConversationsModule], providers: [RealtimeFanout, RedisEmitterTarget] })
export class RealtimeEmitterModule {}
