// Run by test/queue-close.e2e-spec.ts in its own process (a starved event loop would also stop Jest's
// timers): a BullMQ driver with a job repeating every few milliseconds is started and closed, again and
// again, at random moments, so that some closes land while a worker re-schedules the repeating job. The
// process must keep its event loop turning and finish; a worker that spins on its closed connection
// never lets it (the parent kills it and fails).
'use strict';
const { join } = require('node:path');
const root = join(__dirname, '..', '..');
require(join(root, 'scripts', 'build.js'));
const { BullMqQueueDriver } = require(join(root, 'dist/libs/platform/src/queue/bullmq.driver'));
const { RedisClients } = require(join(root, 'dist/libs/platform/src/redis/redis-clients'));
const { defineJob } = require(join(root, 'dist/libs/platform/src/queue/job'));

const rounds = Number(process.argv[2] ?? 30);
const prefix = process.argv[3];
const Tick = defineJob('close-race', 'tick');
const { setTimeout: sleep } = require('node:timers/promises');

(async () => {
  let ran = 0;
  for (let round = 0; round < rounds; round += 1) {
    const clients = new RedisClients(process.env.REDIS_URL);
    const driver = new BullMqQueueDriver(clients, prefix);
    await driver.startWorkers(['close-race'], async () => void (ran += 1), 4);
    await driver.schedule(Tick, 'every-few-ms', {}, { everyMs: 5 });
    await sleep(20 + Math.random() * 60);
    await driver.close(round % 2 === 0 ? 0 : 50);
    await clients.close?.();
    // A worker left spinning starves this timer: the round never ends.
    await sleep(20);
  }
  process.stdout.write(JSON.stringify({ rounds, ran }) + '\n');
  process.exit(0);
})().catch((error) => {
  process.stderr.write(String(error && error.stack) + '\n');
  process.exit(1);
});
