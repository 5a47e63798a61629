import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DatabaseService } from '../database/database.service';
import { QueueDriver } from '../queue/queue-driver';
import { RedisClients } from '../redis/redis-clients';
import { MetricsService } from './metrics.service';
import { ApiProblems } from '../http/openapi';
import { Public } from '../http/public.decorator';

/** Each readiness check gives up after this, so that /ready answers within about a second. */
export const READY_CHECK_TIMEOUT_MS = 800;

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
    @Optional() @Inject(RedisClients) private readonly redis: RedisClients | null,
  ) {}

  /** Liveness: the process answers. It never looks at dependencies, so an orchestrator does not restart a process that only waits for its database. */
  @Get('health')
  @ApiOkResponse({ description: 'The process is alive' })
  @ApiOperation({
    summary: 'Liveness: the process is alive',
    description:
      "Always 200 while the process runs, whatever its dependencies; for a process supervisor's liveness probe.",
  })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers with this build's schema, and Redis (when configured) answers on every
   * connection of the process. Each check is time-boxed, so /ready answers within about a second whatever is
   * down, and a 503 names what is.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Ready to serve' })
  @ApiOperation({
    summary: "Readiness: database (with this build's schema) and Redis answer",
    description:
      "Each check gives up after 800 ms, so this answers within about a second. A 503 (`not_ready`) names the dependency in `detail` and `checks`; for a load balancer's readiness probe.",
  })
  @ApiProblems([503, 'Not ready: a dependency is down or the schema is not migrated (`not_ready`, with `checks`)'])
  readiness() {
    return this.health.check([
      async () => {
        const check = this.indicator.check('database');
        const probe = await this.database.probe(READY_CHECK_TIMEOUT_MS);
        const dialect = this.database.dialect;
        return probe.up ? check.up({ dialect }) : check.down({ dialect, message: probe.reason });
      },
      async () => {
        const redis = this.redis;
        if (!redis) return this.indicator.check('queue').up({ driver: this.queue.kind });
        const check = this.indicator.check('redis');
        const probe = await redis.probe(READY_CHECK_TIMEOUT_MS);
        return probe.up
          ? check.up({ driver: this.queue.kind })
          : check.down({ driver: this.queue.kind, message: probe.reason });
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
