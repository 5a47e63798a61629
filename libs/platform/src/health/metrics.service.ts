import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { QueueDriver } from '../queue/queue-driver';

/** One Prometheus registry per application instance (tests build several apps in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'readerdesk_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'readerdesk_jobs_total',
    help: 'Jobs finished by queue, name and outcome (completed, retried, failed)',
    labelNames: ['queue', 'name', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly inboundEmail = new Counter({
    name: 'readerdesk_inbound_email_total',
    help: 'Inbound emails by outcome (stored, duplicate, a machine-mail category recorded on its conversation, held-no-sender, held-suspected-automatic, held-automatic, converted, unreadable) and source (imap, smtp, unprocessed)',
    labelNames: ['outcome', 'source'] as const,
    registers: [this.registry],
  });

  constructor(driver: QueueDriver) {
    // The standard names (process_*, nodejs_*), which dashboards and alerts for Node services expect.
    collectDefaultMetrics({ register: this.registry });
    driver.onOutcome((event) => this.jobs.inc({ queue: event.queue, name: event.name, outcome: event.outcome }));
  }
}
