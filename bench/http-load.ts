/**
 * The load generator of bench/ingest-http, forked by it so that building requests and reading answers never
 * shares an event loop with what is measured. Over IPC it is told where to post and how much; it posts
 * `count` contacts with `inflight` requests always outstanding on a keep-alive agent of as many sockets, and
 * hands back every request's latency, the statuses seen, a few failed answers and its own CPU time.
 */
import { Agent, request } from 'node:http';
import { messageBody } from './stats';

export interface LoadRun {
  type: 'run';
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  count: number;
  inflight: number;
  /** Makes external ids and new readers' addresses unique to this run. */
  tag: string;
  /** Returning readers: even-numbered contacts come from one of this many addresses, reused. */
  returning: number;
}

export type ToLoad = LoadRun | { type: 'close' };

export type FromLoad =
  | {
      type: 'done';
      /** Milliseconds per request, in completion order. */
      latencies: Float64Array;
      seconds: number;
      /** Answers by status ("201", "429"…) and transport failures ("error"). */
      statuses: Record<string, number>;
      /** The first few failures: status and body, or the error. */
      failures: string[];
      /** CPU time (user + system) this process spent on the run. */
      cpuMs: number;
      /** Sockets the agent opened: equal to `inflight` when keep-alive held. */
      sockets: number;
    }
  | { type: 'error'; message: string };

/** The contact the API channel receives (a website form's post); the ceiling parses the same JSON. */
export function contact(i: number, tag: string, returning: number): string {
  const address =
    i % 2 === 0 ? `returning-${(i / 2) % returning}@bench.example.org` : `new-${tag}-${i}@bench.example.org`;
  return JSON.stringify({
    externalId: `${tag}-${i}`,
    handles: [{ kind: 'email', value: address }],
    subject: `Question from the web form ${i}`,
    text: messageBody(i),
  });
}

function run(spec: LoadRun): Promise<FromLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.inflight });
  let sockets = 0;
  const latencies = new Float64Array(spec.count);
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let done = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const note = (status: string, detail?: string) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (detail !== undefined && failures.length < 5) failures.push(`${status}: ${detail.slice(0, 300)}`);
  };

  return new Promise((resolve) => {
    const finish = () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      agent.destroy();
      resolve({
        type: 'done',
        latencies,
        seconds,
        statuses,
        failures,
        cpuMs: (used.user + used.system) / 1000,
        sockets,
      });
    };
    const post = () => {
      if (next >= spec.count) return;
      const i = next++;
      const payload = Buffer.from(contact(i, spec.tag, spec.returning));
      const t = process.hrtime.bigint();
      const req = request(
        {
          agent,
          host: spec.host,
          port: spec.port,
          path: spec.path,
          method: 'POST',
          headers: { ...spec.headers, 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            latencies[done] = Number(process.hrtime.bigint() - t) / 1e6;
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) note(String(status));
            else note(String(status), Buffer.concat(chunks).toString());
            done += 1;
            if (done === spec.count) finish();
            else post();
          });
        },
      );
      req.on('socket', (socket) => {
        // A socket is reused for many requests; count each once.
        const marked = socket as typeof socket & { benchCounted?: boolean };
        if (!marked.benchCounted) {
          marked.benchCounted = true;
          sockets += 1;
        }
      });
      req.on('error', (error) => {
        latencies[done] = Number(process.hrtime.bigint() - t) / 1e6;
        note('error', error.message);
        done += 1;
        if (done === spec.count) finish();
        else post();
      });
      req.end(payload);
    };
    for (let k = 0; k < Math.min(spec.inflight, spec.count); k += 1) post();
  });
}

function main(): void {
  process.on('message', (message: ToLoad) => {
    if (message.type === 'close') {
      process.exit(0);
      return;
    }
    run(message).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) main();
