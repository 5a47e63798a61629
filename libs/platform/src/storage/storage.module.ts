import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Environment } from '../config/environment';
import { BlobStorage } from './blob-storage';
import { LocalDirectoryStorage } from './local-directory.storage';
import { S3Storage } from './s3.storage';

export function createBlobStorage(env: Environment): BlobStorage {
  if (env.DESK_STORAGE === 's3') {
    return new S3Storage({
      bucket: env.S3_BUCKET as string,
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    });
  }
  return new LocalDirectoryStorage(env.DESK_STORAGE_DIR);
}

@Injectable()
class StorageLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BlobStorage) private readonly storage: BlobStorage) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof S3Storage) this.storage.close();
  }
}

/** Provides the BlobStorage port with the driver the environment selects. */
@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [{ provide: BlobStorage, useFactory: createBlobStorage, inject: [Environment] }, StorageLifecycle],
      exports: [BlobStorage],
    };
  }
}
