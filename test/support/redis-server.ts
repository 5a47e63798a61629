import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './process';

/** Whether `redis-server` can be run here (the fault tests start their own, never touching the shared one). */
export function redisServerAvailable(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway redis-server on a spare loopback port (no persistence), which a test may kill and start again. */
export interface OwnRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGKILL: as abrupt as a crash or a lost network. */
  kill(): Promise<void>;
  /** Sends one command and gives the raw reply (for CLIENT LIST). */
  command(...args: string[]): Promise<string>;
}

export async function ownRedis(port?: number): Promise<OwnRedis> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const command = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(chosen, '127.0.0.1');
      let reply = '';
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        reply += chunk.toString();
        // A simple or error reply ends at its first CRLF; a bulk string ($len CRLF body CRLF) after its body.
        const bulk = /^\$(\d+)\r\n/.exec(reply);
        if ((bulk && reply.length >= bulk[0].length + Number(bulk[1]) + 2) || (!bulk && reply.includes('\r\n'))) {
          socket.end();
          resolve(reply);
        }
      });
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
  const self: OwnRedis = {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    command,
    start: async () => {
      child = spawn(
        'redis-server',
        ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`redis-server on ${chosen} exited with ${child.exitCode}`);
        if (
          await command('PING').then(
            (r) => r.startsWith('+PONG'),
            () => false,
          )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`redis-server on ${chosen} did not answer within 10 s`);
    },
    kill: async () => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
  return self;
}
