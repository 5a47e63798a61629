export * from './branch.entity';
export * from './library-admin.service';
export * from './library-directory';
export * from './library.entity';
// TODO(trim): identity.service still uses it (libs/readers/src/identity.service.ts; also bench/ingest.ts and
// libs/conversations/src/ingestion.int-spec.ts); switch them to LibraryDirectory and remove this export.
export * from './library.repository';
export * from './tenancy.module';
export * from './time-zone';
export * from './tenancy.errors';
