export * from './reader.entity';
export * from './reader.repository';
export * from './readers.module';
