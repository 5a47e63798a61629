import { Module } from '@nestjs/common';

/**
 * The job handlers: queue processors for mail, SLA timers, ILS refresh and retention join here as
 * they arrive. Boot fails if any defined job lacks its one handler.
 */
@Module({})
export class WorkerModule {}
