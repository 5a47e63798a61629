import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { IsNull, LessThan, Or } from 'typeorm';
import { ApiKey } from './api-key.entity';

@Injectable()
export class ApiKeyRepository extends TenantRepository<ApiKey> {
  constructor(db: DatabaseService) {
    super(db, ApiKey, 'API key');
  }

  /** Like a refresh token, a presented key names its library: the prefix is unique across the deployment. */
  findByPrefix(prefix: string): Promise<ApiKey | null> {
    return this.db.manager.getRepository(ApiKey).findOne({ where: { prefix } });
  }

  /** Records a use unless one since `since` is recorded already (another request or process was first). */
  touch(scope: LibraryScope, id: string, at: Date, since: Date): Promise<number> {
    return this.updateWhere(
      scope,
      { id, lastUsedAt: Or(IsNull(), LessThan(this.timestamp(since))) },
      { lastUsedAt: at },
    );
  }

  revoke(scope: LibraryScope, id: string, at: Date): Promise<number> {
    return this.updateWhere(scope, { id, revokedAt: IsNull() }, { revokedAt: at });
  }
}
