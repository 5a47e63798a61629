// Live queue statistics per department × channel (#14 item 5): a daily rollup kept by events, read with what waits now.
export * from './histogram';
export * from './queue-stats.entity';
export * from './queue-stats.events';
export * from './queue-stats.figures';
export * from './queue-stats.module';
export * from './queue-stats.service';
