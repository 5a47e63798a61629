import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DatabaseService } from '../database/database.service';
import { QueueDriver } from '../queue/queue-driver';
import { MetricsService } from './metrics.service';
import { Public } from '../http/public.decorator';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: DatabaseService,
    private readonly queue: QueueDriver,
    private readonly metrics: MetricsService,
  ) {}

  /** Liveness: the process answers. It never looks at dependencies, so an orchestrator does not restart a process that only waits for its database. */
  @Get('health')
  @ApiOkResponse({ description: 'The process is alive' })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database is connected and migrated, and the queue backend (Redis when configured) answers. */
  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({ description: 'Ready to serve' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  readiness() {
    return this.health.check([
      async () => {
        const check = this.indicator.check('database');
        const status = this.database.status();
        if (!status.ready) return check.down({ dialect: status.dialect, message: status.error });
        try {
          await this.database.dataSource.query('SELECT 1');
          return check.up({ dialect: status.dialect });
        } catch (error) {
          return check.down({ dialect: status.dialect, message: (error as Error).message });
        }
      },
      async () => {
        const check = this.indicator.check('queue');
        try {
          await this.queue.ping();
          return check.up({ driver: this.queue.kind });
        } catch (error) {
          return check.down({ driver: this.queue.kind, message: (error as Error).message });
        }
      },
    ]);
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  async prometheus(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
