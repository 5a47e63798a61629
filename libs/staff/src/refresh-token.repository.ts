import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { IsNull } from 'typeorm';
import { RefreshToken } from './refresh-token.entity';

@Injectable()
export class RefreshTokenRepository extends TenantRepository<RefreshToken> {
  constructor(db: DatabaseService) {
    super(db, RefreshToken, 'Refresh token');
  }

  /** Like sign-in, a presented token names its library; the hash is unique across the deployment. */
  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.db.manager.getRepository(RefreshToken).findOne({ where: { tokenHash } });
  }

  /** Every live refresh token of the agent (a deactivated account). */
  revokeAllOf(scope: LibraryScope, agentId: string, at: Date): Promise<number> {
    return this.updateWhere(scope, { agentId, revokedAt: IsNull() }, { revokedAt: at });
  }

  revokeFamily(scope: LibraryScope, familyId: string, at: Date): Promise<number> {
    return this.updateWhere(scope, { familyId, revokedAt: IsNull() }, { revokedAt: at });
  }
}
