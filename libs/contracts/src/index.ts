// Plain TypeScript shared with the front ends: no Nest, ORM or Node-only imports here.
export * from './realtime.events';
export * from './channels';
export * from './queue-stats';
export * from './canned-replies';
