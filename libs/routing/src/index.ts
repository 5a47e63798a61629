export * from './opening-hours.port';
export * from './rule-matcher';
export * from './routing-engine';
export * from './routing-rule.entity';
export * from './routing-rules.service';
export * from './routing.errors';
export * from './routing.events';
export * from './routing.module';
