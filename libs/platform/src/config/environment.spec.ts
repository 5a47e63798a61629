import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentKeys, EnvironmentError, loadEnvironment } from './environment';

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadEnvironment(raw);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
  return [];
}

describe('environment', () => {
  it('gives the embedded default when nothing is set', () => {
    const env = loadEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DESK_ROLE).toBe('all');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SQLITE_PATH).toBe('./data/readerdesk.sqlite');
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('converts numbers and booleans from their text', () => {
    const env = loadEnvironment({ PORT: '8080', DESK_SEED_DEMO: 'false', DB_RETRY_MAX_DELAY_MS: '500' });
    expect(env.PORT).toBe(8080);
    expect(env.DESK_SEED_DEMO).toBe(false);
    expect(env.DB_RETRY_MAX_DELAY_MS).toBe(500);
  });

  it('names each malformed variable and what it was given', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('"eighty"');
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toContain('postgres://');
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toBeDefined();
  });

  it('rejects unknown DESK_ variables, a likely typo', () => {
    expect(problemsOf({ DESK_ADMIN_EMIAL: 'a@b.org' })).toEqual([
      expect.stringContaining('DESK_ADMIN_EMIAL: unknown variable'),
    ]);
  });

  it('requires the first administrator and the secret key in production, and never echoes secrets', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DESK_ADMIN_PASSWORD: 'short' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DESK_ADMIN_EMAIL',
      'DESK_ADMIN_PASSWORD',
      'DESK_SECRET_KEY',
    ]);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('refuses a split role without Redis, since jobs could not reach a worker', () => {
    expect(problemsOf({ DESK_ROLE: 'api' })).toEqual([expect.stringContaining('needs REDIS_URL')]);
    expect(problemsOf({ DESK_ROLE: 'worker', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([]);
  });

  it('leaves the SMTP listener off unless a port is set, and wants its certificate and key together', () => {
    const off = loadEnvironment({});
    expect(off.DESK_SMTP_PORT).toBeUndefined();
    expect(off.DESK_SMTP_MAX_BYTES).toBe(35 * 1024 * 1024);
    expect(loadEnvironment({ DESK_SMTP_PORT: '' }).DESK_SMTP_PORT).toBeUndefined();
    expect(loadEnvironment({ DESK_SMTP_PORT: '0' }).DESK_SMTP_PORT).toBe(0);
    expect(problemsOf({ DESK_SMTP_TLS_CERT: '/etc/cert.pem' })).toEqual([
      expect.stringMatching(/^DESK_SMTP_TLS_KEY: .*set both \(STARTTLS\) or neither/),
    ]);
    expect(problemsOf({ DESK_SMTP_TLS_CERT: '/etc/cert.pem', DESK_SMTP_TLS_KEY: '/etc/key.pem' })).toEqual([]);
    const bad = problemsOf({ DESK_SMTP_PORT: '70000', DESK_SMTP_MAX_BYTES: String(60 * 1024 * 1024) });
    expect(bad.map((p) => p.split(':')[0]).sort()).toEqual(['DESK_SMTP_MAX_BYTES', 'DESK_SMTP_PORT']);
    expect(problemsOf({ DESK_SMTP_HOSTNAME: 'not a host' })).toEqual([expect.stringContaining('host name')]);
  });

  it('treats an empty value as unset', () => {
    expect(loadEnvironment({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads the former email names of the delivery settings when the new ones are unset', () => {
    const old = loadEnvironment({ DESK_EMAIL_SEND_ATTEMPTS: '4', DESK_EMAIL_RETRY_BASE_MS: '100' });
    expect([old.DESK_DELIVERY_ATTEMPTS, old.DESK_DELIVERY_RETRY_BASE_MS]).toEqual([4, 100]);
    const both = loadEnvironment({ DESK_EMAIL_SEND_ATTEMPTS: '4', DESK_DELIVERY_ATTEMPTS: '2' });
    expect([both.DESK_DELIVERY_ATTEMPTS, both.DESK_DELIVERY_RETRY_BASE_MS]).toEqual([2, 30_000]);
  });

  it('is documented variable for variable in .env.example', () => {
    const example = readFileSync(join(__dirname, '../../../../.env.example'), 'utf8');
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...environmentKeys()].sort());
  });
});
