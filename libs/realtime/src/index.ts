export * from './realtime.events';
export * from './realtime.gateway';
export * from './realtime.module';
