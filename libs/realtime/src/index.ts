export * from './realtime.gateway';
export * from './realtime.module';
export * from './realtime.fanout';
export * from './realtime-emitter.module';
export * from './conversation-viewers.service';
