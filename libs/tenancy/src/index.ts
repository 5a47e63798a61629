export * from './branch.entity';
export * from './branch.repository';
export * from './library-admin.service';
export * from './library.entity';
export * from './library.repository';
export * from './tenancy.module';
export * from './time-zone';
export * from './tenancy.errors';
