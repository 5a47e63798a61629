import { startS3Server, testDialect, type TestS3Server } from '@readerdesk/testing';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStorage, BlobTooLarge } from './blob-storage';
import { LocalDirectoryStorage } from './local-directory.storage';
import { S3Storage } from './s3.storage';

// The drivers do not touch the database: run them once, in the SQLite pass.
const run = testDialect() === 'sqlite' ? describe : describe.skip;
if (testDialect() !== 'sqlite') console.warn('blob storage tests run in the SQLite pass only (no database involved)');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Driver {
  storage: BlobStorage;
  cleanup(): Promise<void>;
}

const drivers: Record<string, () => Promise<Driver>> = {
  'local directory': async () => {
    const dir = await mkdtemp(join(tmpdir(), 'readerdesk-blobs-'));
    return { storage: new LocalDirectoryStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  's3 (s3rver on loopback)': async () => {
    const server: TestS3Server = await startS3Server();
    const storage = new S3Storage({
      bucket: server.bucket,
      region: 'us-east-1',
      endpoint: server.endpoint,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
    });
    return {
      storage,
      cleanup: async () => {
        storage.close();
        await server.stop();
      },
    };
  },
};

for (const [name, make] of Object.entries(drivers)) {
  run(`BlobStorage: ${name}`, () => {
    let driver: Driver;
    beforeAll(async () => {
      driver = await make();
    });
    afterAll(() => driver.cleanup());

    it('stores bytes and gives the same bytes back, with their size and SHA-256', async () => {
      const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      const stored = await driver.storage.put('lib-1/2026/11/a.bin', bytes, { contentType: 'application/pdf' });
      expect(stored).toEqual({ key: 'lib-1/2026/11/a.bin', size: bytes.length, sha256: sha(bytes) });
      expect(sha(await readAll(await driver.storage.get('lib-1/2026/11/a.bin')))).toBe(sha(bytes));
    });

    it('accepts a stream of unknown length', async () => {
      const parts = [Buffer.from('first '), Buffer.from('second '), Buffer.from('third')];
      const stored = await driver.storage.put('lib-1/stream.txt', Readable.from(parts), { contentType: 'text/plain' });
      expect(stored.size).toBe(18);
      expect((await readAll(await driver.storage.get('lib-1/stream.txt'))).toString()).toBe('first second third');
    });

    it('refuses bytes over the limit, names the limit and stores nothing', async () => {
      const bytes = Buffer.alloc(4096, 7);
      const attempt = driver.storage.put(
        'lib-1/big.bin',
        Readable.from([bytes.subarray(0, 2048), bytes.subarray(2048)]),
        {
          contentType: 'application/octet-stream',
          maxBytes: 3000,
        },
      );
      await expect(attempt).rejects.toBeInstanceOf(BlobTooLarge);
      await expect(attempt).rejects.toMatchObject({ status: 413, message: expect.stringContaining('3000 bytes') });
      await expect(driver.storage.get('lib-1/big.bin')).rejects.toMatchObject({ status: 404 });
    });

    it('deletes, and deleting twice is fine', async () => {
      await driver.storage.put('lib-1/gone.txt', Buffer.from('x'), { contentType: 'text/plain' });
      await driver.storage.delete('lib-1/gone.txt');
      await driver.storage.delete('lib-1/gone.txt');
      await expect(driver.storage.get('lib-1/gone.txt')).rejects.toMatchObject({ status: 404 });
    });

    it('refuses keys that could escape the storage root', async () => {
      for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', '']) {
        await expect(driver.storage.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(
          /Unsafe storage key/,
        );
      }
    });
  });
}

run('LocalDirectoryStorage leaves no partial files', () => {
  it('removes the temporary file when a write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'readerdesk-blobs-'));
    const storage = new LocalDirectoryStorage(dir);
    await expect(
      storage.put('lib/x.bin', Buffer.alloc(5000), { contentType: 'application/octet-stream', maxBytes: 1024 }),
    ).rejects.toBeInstanceOf(BlobTooLarge);
    expect(await readdir(join(dir, 'lib'))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});
