/**
 * The agent consoles of bench/fanout, forked by it as a separate process so that decoding 25,000
 * socket.io frames a second does not run on the event loop of the server being measured. Driven
 * over IPC: connect the sockets, note when the load starts, say how many events arrived so far,
 * hand back every receive time, close. Receive times are `performance.timeOrigin + performance.now()`,
 * the same clock the parent stamps send times with, so the two processes' times can be subtracted.
 */
import type { ClientToServerEvents, ServerToClientEvents } from '@readerdesk/contracts';
import { io, Socket } from 'socket.io-client';
import { lanes } from './stats';

/** How one socket presents itself: the desk wants an access token, the raw server a room in the query. */
export interface ClientSpec {
  auth?: { token: string };
  query?: Record<string, string>;
}

export type ToClients =
  | { type: 'connect'; url: string; sockets: ClientSpec[]; concurrency: number }
  | { type: 'reset' }
  | { type: 'start' }
  | { type: 'count' }
  | { type: 'collect' }
  | { type: 'close' };

export type FromClients =
  | { type: 'connected'; connected: number; failed: number; firstError: string | null; ms: number; rss: number }
  | { type: 'count'; received: number }
  | {
      type: 'results';
      /** messageId → receive times (ms since the epoch, fractional), one per socket that got it. */
      received: Array<[string, number[]]>;
      /** Sockets the server dropped after connecting (the desk does that to a refused token). */
      disconnects: number;
      rssAfterConnect: number;
      rssPeak: number;
      /** CPU time this process spent between `start` and `collect`, and the wall time between them. */
      cpuMs: number;
      wallMs: number;
    }
  | { type: 'error'; message: string };

type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const now = (): number => performance.timeOrigin + performance.now();

function send(message: FromClients): void {
  process.send?.(message);
}

function main(): void {
  const sockets: ConsoleSocket[] = [];
  const received = new Map<string, number[]>();
  let total = 0;
  let disconnects = 0;
  let closing = false;
  let rssAfterConnect = 0;
  let rssPeak = 0;
  let startedAt = 0;
  let cpuAtStart = process.cpuUsage();

  const sampleRss = (): void => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  };
  setInterval(sampleRss, 200).unref();

  // Kept as small as possible: this runs 25,000 times a second and its cost is part of every latency.
  const record = (messageId: string): void => {
    const at = now();
    const times = received.get(messageId);
    if (times) times.push(at);
    else received.set(messageId, [at]);
    total += 1;
  };

  const connectOne = (url: string, spec: ClientSpec): Promise<void> => {
    const socket: ConsoleSocket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: spec.auth ?? {},
      query: spec.query,
      // One connection per agent, as 1,000 browsers would open: no shared manager, no reconnecting.
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
    });
    socket.on('message.appended', (event) => record(event.messageId));
    socket.on('disconnect', () => {
      if (!closing) disconnects += 1;
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
  };

  const connect = async (url: string, specs: ClientSpec[], concurrency: number): Promise<void> => {
    const started = performance.now();
    let failed = 0;
    let firstError: string | null = null;
    // A bounded number of handshakes at a time: the desk verifies a token and reads the agent's
    // departments for each, and 1,000 at once would only measure a queue in front of the pool.
    await lanes(specs.length, concurrency, async (i) => {
      try {
        await connectOne(url, specs[i]);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    });
    sampleRss();
    rssAfterConnect = process.memoryUsage().rss;
    send({
      type: 'connected',
      connected: specs.length - failed,
      failed,
      firstError,
      ms: performance.now() - started,
      rss: rssAfterConnect,
    });
  };

  process.on('message', (message: ToClients) => {
    switch (message.type) {
      case 'connect':
        connect(message.url, message.sockets, message.concurrency).catch((error: unknown) =>
          send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
        );
        break;
      case 'reset':
        // The warm-up's events are done with; the measured run starts from nothing.
        received.clear();
        total = 0;
        break;
      case 'start':
        startedAt = performance.now();
        cpuAtStart = process.cpuUsage();
        break;
      case 'count':
        send({ type: 'count', received: total });
        break;
      case 'collect': {
        const cpu = process.cpuUsage(cpuAtStart);
        sampleRss();
        send({
          type: 'results',
          received: [...received],
          disconnects,
          rssAfterConnect,
          rssPeak,
          cpuMs: (cpu.user + cpu.system) / 1000,
          wallMs: performance.now() - startedAt,
        });
        break;
      }
      case 'close':
        closing = true;
        for (const socket of sockets) socket.close();
        // Let the close frames leave before exiting; the server would cope with a cut connection too.
        setTimeout(() => process.exit(0), 200);
        break;
    }
  });
  // Never outlive the benchmark, even when it fails before saying `close`.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) main();
