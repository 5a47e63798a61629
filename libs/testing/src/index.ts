export * from './test-database';
export * from './test-environment';
export * from './s3-server';
export * from './dovecot';
export * from './factories';
export * from './test-clock';
export * from './ingestion';
export * from './local';
