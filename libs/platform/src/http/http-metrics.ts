import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from '../health/metrics.service';

/** The route label of a request no route matched (unknown paths, bodies refused before routing): one value, so that probing random paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express middleware, installed first, that observes every response when it is finished, with the
 * status actually sent. An interceptor would miss guard rejections, unknown routes and body-parser
 * errors, and would read the status before the exception filter has set it.
 */
export function httpMetrics(metrics: MetricsService): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe(
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}

/**
 * The path pattern of the controller route that answered, or `UNMATCHED_ROUTE`. Nest registers
 * middleware bound to routes (the request logger's) as Express `all()` routes (one route for every
 * method), which leave their own `req.route` behind on a request no handler matched; a controller
 * route is registered for its one method (this desk has no `@All()` handler).
 */
export function routeOf(req: Request): string {
  const route = req.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
  if (!route || typeof route.path !== 'string' || Object.keys(route.methods ?? {}).length !== 1) return UNMATCHED_ROUTE;
  return route.path;
}
