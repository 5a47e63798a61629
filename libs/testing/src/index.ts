export * from './test-database';
export * from './test-environment';
export * from './s3-server';
export * from './dovecot';
export * from './ingestion';
