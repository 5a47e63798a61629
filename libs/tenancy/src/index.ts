export * from './branch.entity';
export * from './library-admin.service';
export * from './library-directory';
export * from './library.entity';
export * from './tenancy.module';
export * from './time-zone';
export * from './tenancy.errors';
