// A BullMQ worker closed while it re-schedules a repeating job must stop, not spin. BullMQ 5.81 retried a
// failed command without pause once its worker was closing, so a close that landed while the worker wrote the
// next iteration of a schedule (the snooze and SLA sweeps are such schedules) spun on the closed connection
// forever: 100 % CPU, the event loop starved, Jest's own timeouts dead — CI hung for 25 minutes. BullMQ 6 gives
// up when closing. The race is random, so the check runs many closes in a child process (a starved loop would
// stop this process's timers too) and the parent kills it if it does not finish.
import IORedis from 'ioredis';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { testDialect } from '@readerdesk/testing';

const redisUrl = process.env.REDIS_URL;
const runs = testDialect() === 'postgres' && redisUrl;
const describeRedis = runs ? describe : describe.skip;
const title = runs
  ? 'BullMQ driver: closing while a schedule is re-written'
  : 'BullMQ driver: closing while a schedule is re-written [skipped: needs REDIS_URL; runs in the PostgreSQL pass]';

describeRedis(title, () => {
  const prefix = `rdtest-close-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    const redis = new IORedis(redisUrl!);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('150 closes at random moments of a 5 ms schedule: every one ends and the event loop keeps turning', async () => {
    const child = spawn(process.execPath, [join(__dirname, 'support', 'bullmq-close-child.js'), '150', prefix], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redisUrl, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killer);
    expect({ exit, output: exit.code === 0 ? '' : output }).toEqual({ exit: { code: 0, signal: null }, output: '' });
    const result = JSON.parse(output.trim().split('\n').pop()!) as { rounds: number; ran: number };
    expect(result.rounds).toBe(150);
    // The schedule really ran between the closes (the race needs a worker that is writing its next run).
    expect(result.ran).toBeGreaterThan(150);
  }, 120_000);
});
