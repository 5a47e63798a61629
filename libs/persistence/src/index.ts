export * from './data-source-options';
export * from './demo/demo-library';
export * from './demo/seed.service';
export * from './entities';
export * from './persistence.module';
export * from './schema-diff';
export * from './scratch-database';
