import { Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { UnprocessedMail, type UnprocessedReason, type UnprocessedStatus } from './unprocessed-mail.entity';

export interface UnprocessedFilter {
  statuses?: UnprocessedStatus[];
  reasons?: UnprocessedReason[];
}

@Injectable()
export class UnprocessedMailRepository extends TenantRepository<UnprocessedMail> {
  constructor(db: DatabaseService) {
    super(db, UnprocessedMail, 'Unprocessed mail');
  }

  findByMessageId(scope: LibraryScope, inboxId: string, messageId: string): Promise<UnprocessedMail | null> {
    return this.findOne(scope, { inboxId, messageId });
  }

  /** One inbox's list, newest first, one page after the cursor (received at, id). */
  async page(
    scope: LibraryScope,
    inboxId: string,
    filter: UnprocessedFilter,
    limit: number,
    after?: { receivedAt: Date; id: string },
  ): Promise<UnprocessedMail[]> {
    const q = this.query(scope, 'u').andWhere('u.inboxId = :inboxId', { inboxId });
    if (filter.statuses?.length) q.andWhere('u.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.reasons?.length) q.andWhere('u.reason IN (:...reasons)', { reasons: filter.reasons });
    if (after) {
      const at = this.timestamp(after.receivedAt);
      q.andWhere(
        new Brackets((b) => {
          b.where('u.receivedAt < :at', { at }).orWhere('u.receivedAt = :at AND u.id < :afterId', {
            afterId: after.id,
          });
        }),
      );
    }
    return q.orderBy('u.receivedAt', 'DESC').addOrderBy('u.id', 'DESC').take(limit).getMany();
  }

  /** Settles a pending row; false when it was not pending any longer (someone else settled it first). */
  async settle(
    scope: LibraryScope,
    id: string,
    changes: Pick<UnprocessedMail, 'status' | 'resolvedById' | 'resolvedAt'> &
      Partial<Pick<UnprocessedMail, 'conversationId' | 'storageKey'>>,
  ): Promise<boolean> {
    return (await this.updateWhere(scope, { id, status: 'pending' }, changes)) > 0;
  }
}
