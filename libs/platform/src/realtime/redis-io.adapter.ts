import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { Environment } from '../config/environment';
import type { RedisClients } from '../redis/redis-clients';

/** The Redis channel prefix the adapter and the worker's emitter share: one desk's sockets, even on a shared Redis. */
export function socketIoRedisKey(env: Pick<Environment, 'QUEUE_PREFIX'>): string {
  return `${env.QUEUE_PREFIX}-socket.io`;
}

/**
 * socket.io over Redis pub/sub, so that every api instance (and the worker's emitter) reaches every socket. While
 * Redis is away, events to other instances are dropped (the publisher fails fast) and the subscriber waits and
 * subscribes again when it returns.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly clients: RedisClients,
    private readonly key: string,
  ) {
    super(app);
    this.pub = clients.publisher('socket.io-pub');
    this.sub = clients.create('socket.io-sub', 'wait');
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub, this.sub, { key: this.key }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    this.clients.release(this.pub);
    this.clients.release(this.sub);
  }
}
