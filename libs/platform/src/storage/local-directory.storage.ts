import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../errors/domain-error';
import { assertSafeKey, BlobStorage, MeteredStream, PutOptions, StoredBlob } from './blob-storage';

/**
 * Blobs as files under one directory (the embedded default). Writes go to a temporary name and are
 * renamed into place, so a crash never leaves half a file under a real key.
 */
export class LocalDirectoryStorage extends BlobStorage {
  readonly kind = 'local';
  private readonly root: string;

  constructor(directory: string) {
    super();
    this.root = resolve(directory);
  }

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<StoredBlob> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    const meter = new MeteredStream(options.maxBytes);
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, meter, createWriteStream(temporary));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { key, size: meter.size, sha256: meter.digest() };
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch {
      throw new NotFoundError('Attachment content');
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
