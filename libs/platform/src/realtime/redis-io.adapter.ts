import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import IORedis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { Environment } from '../config/environment';

/** The Redis channel prefix the adapter and the worker's emitter share: one desk's sockets, even on a shared Redis. */
export function socketIoRedisKey(env: Pick<Environment, 'QUEUE_PREFIX'>): string {
  return `${env.QUEUE_PREFIX}-socket.io`;
}

/** socket.io over Redis pub/sub, so that every api instance and the worker's emitter) reaches every socket. */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: IORedis;
  private readonly sub: IORedis;

  constructor(app: INestApplicationContext, redisUrl: string, key: string) {
    super(app);
    this.pub = new IORedis(redisUrl, { lazyConnect: false });
    this.sub = this.pub.duplicate();
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.key = key;
  }

  private readonly key: string;

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub, this.sub, { key: this.key }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
