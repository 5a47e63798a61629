import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export { freePort } from '@readerdesk/testing';

export interface DeskProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs an entry point the way `npm start` / `npm run start:api` / `start:worker` do. */
export function startDesk(entry: 'desk' | 'api' | 'worker', env: Record<string, string | undefined>): DeskProcess {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run.js'), entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers with `status` or the deadline passes; returns the milliseconds it took. */
export async function waitForHttp(url: string, status = 200, deadlineMs = 45_000): Promise<number> {
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < deadlineMs) {
    try {
      const res = await fetch(url);
      if (res.status === status) return Date.now() - started;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer ${status} within ${deadlineMs} ms (last: ${last})`);
}

export async function stop(
  desk: DeskProcess,
  timeoutMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (desk.child.exitCode !== null || desk.child.signalCode !== null) return desk.exited;
  desk.child.kill('SIGTERM');
  const timer = setTimeout(() => desk.child.kill('SIGKILL'), timeoutMs);
  const result = await desk.exited;
  clearTimeout(timer);
  return result;
}
