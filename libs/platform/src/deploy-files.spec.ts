import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { environmentKeys } from './config/environment';

/**
 * Docker does not run in this project's CI, so the deployment files are checked as text: what a
 * self-hoster relies on when `docker compose up` starts the desk in production mode.
 */
const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}

describe('deployment files', () => {
  const compose = load(read('deploy/compose.yaml')) as { services: Record<string, Service>; volumes: object };
  const services = compose.services;

  it('gives the api and the worker one shared attachment store, where DESK_STORAGE_DIR points', () => {
    for (const name of ['api', 'worker']) {
      const service = services[name];
      const dir = service.environment?.DESK_STORAGE_DIR;
      expect({ name, dir }).toEqual({ name, dir: expect.stringMatching(/^\//) });
      const mount = (service.volumes ?? []).find((v) => v.endsWith(`:${dir}`));
      expect({ name, mount }).toEqual({ name, mount: expect.stringMatching(/^[a-z]+:/) });
    }
    const [apiVolume] = services.api
      .volumes!.find((v) => v.endsWith(services.api.environment!.DESK_STORAGE_DIR))!
      .split(':');
    const [workerVolume] = services.worker
      .volumes!.find((v) => v.endsWith(services.worker.environment!.DESK_STORAGE_DIR))!
      .split(':');
    expect(workerVolume).toBe(apiVolume);
    expect(Object.keys(compose.volumes)).toContain(apiVolume);
  });

  it('requires the encryption key and passes only variables the desk knows', () => {
    const environment = services.api.environment!;
    expect(environment.DESK_ENCRYPTION_KEY).toMatch(/^\$\{DESK_ENCRYPTION_KEY:\?/);
    for (const key of Object.keys(environment)) {
      if (key !== 'NODE_ENV') expect(environmentKeys()).toContain(key);
    }
  });

  it('health-checks Redis and PostgreSQL, waits for both, and restarts every service', () => {
    expect(services.redis.healthcheck?.test.join(' ')).toContain('ping');
    expect(services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    for (const [name, service] of Object.entries(services)) {
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it("checks the api container's readiness, not its liveness, and lets the unprivileged user write its data folder", () => {
    const dockerfile = read('deploy/Dockerfile');
    const healthcheck = dockerfile.split('\n').find((line) => line.startsWith('HEALTHCHECK'));
    expect(healthcheck).toContain('/ready');
    expect(healthcheck).not.toContain('/health');
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'), dockerfile.indexOf('AS api'));
    const chown = runtime.indexOf('chown -R node:node /app/data');
    expect(chown).toBeGreaterThan(-1);
    expect(chown).toBeLessThan(runtime.indexOf('USER node'));
    expect(services.api.environment!.DESK_STORAGE_DIR.startsWith('/app/data/')).toBe(true);
  });
});
