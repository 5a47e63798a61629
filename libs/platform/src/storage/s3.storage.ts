import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { NotFoundError } from '../errors/domain-error';
import { assertSafeKey, BlobStorage, MeteredStream, PutOptions, StoredBlob } from './blob-storage';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/**
 * Blobs in an S3-compatible bucket. A body is measured and hashed in memory first (attachments are
 * bounded by DESK_ATTACHMENT_MAX_BYTES), so PutObject gets an exact length and an oversized upload
 * never reaches the bucket.
 */
export class S3Storage extends BlobStorage {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    super();
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
    };
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.client = new S3Client(config);
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<StoredBlob> {
    assertSafeKey(key);
    const meter = new MeteredStream(options.maxBytes);
    const chunks: Buffer[] = [];
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    for await (const chunk of source.pipe(meter)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const sha256 = meter.digest();
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: bytes,
        ContentLength: bytes.length,
        ContentType: options.contentType,
        Metadata: { sha256 },
      }),
    );
    return { key, size: bytes.length, sha256 };
  }

  async get(key: string): Promise<Readable> {
    assertSafeKey(key);
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!(answer.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return answer.Body;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        throw new NotFoundError('Attachment content');
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}
