import { DynamicModule, Global, Module } from '@nestjs/common';
import { Environment, loadEnvironment } from './environment';

/** Provides the validated Environment to every module; built once per process (or per test app). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env: Environment = loadEnvironment()): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: Environment, useValue: env }], exports: [Environment] };
  }
}
