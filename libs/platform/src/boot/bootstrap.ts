import { DynamicModule, INestApplication, INestApplicationContext, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { DeskRole, Environment, EnvironmentError, loadEnvironment } from '../config/environment';
import { configureHttp } from '../http/configure-http';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisIoAdapter, socketIoRedisKey } from '../realtime/redis-io.adapter';
import { guardRedisRejections, RedisClients } from '../redis/redis-clients';

export type RootModuleFactory = (env: Environment) => DynamicModule | Type<unknown>;

/** Reads and validates the environment, or prints what is wrong and exits with status 78 (configuration error). */
export function environmentOrExit(defaultRole: DeskRole): Environment {
  try {
    return loadEnvironment({ ...process.env, DESK_ROLE: process.env.DESK_ROLE || defaultRole });
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(`ReaderDesk cannot start. ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
}

/** Builds an HTTP application from a root module, configured as every entry point and e2e test uses it. */
export async function createHttpApp(root: DynamicModule | Type<unknown>): Promise<INestApplication> {
  const app = await NestFactory.create(root, { bufferLogs: true, bodyParser: false, abortOnError: false });
  configureHttp(app);
  const env = app.get(Environment);
  const redis = app.get(RedisClients);
  // With Redis, socket.io rooms span every api instance; alone, the in-memory adapter is enough.
  app.useWebSocketAdapter(redis ? new RedisIoAdapter(app, redis, socketIoRedisKey(env)) : new IoAdapter(app));
  return app;
}

export async function startHttp(env: Environment, root: DynamicModule | Type<unknown>): Promise<INestApplication> {
  if (env.REDIS_URL) guardRedisRejections();
  const app = await createHttpApp(root);
  await app.listen(env.PORT, env.HOST);
  app
    .get(Logger)
    .log(
      `ReaderDesk (${env.DESK_ROLE}) listening on http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`,
      'Boot',
    );
  return app;
}

export async function startWorker(root: DynamicModule | Type<unknown>): Promise<INestApplicationContext> {
  guardRedisRejections();
  const app = await NestFactory.createApplicationContext(root, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('ReaderDesk worker started', 'Boot');
  return app;
}

export function exitOnBootFailure(error: unknown): never {
  new NestLogger('Boot').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
