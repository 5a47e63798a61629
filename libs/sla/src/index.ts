export * from './sla-clock';
export * from './sla-policy.entity';
export * from './sla-policy.service';
export * from './sla.errors';
export * from './sla.events';
export * from './sla.jobs';
export * from './sla.module';
export * from './sla.service';
