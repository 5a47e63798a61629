import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, IsNull } from 'typeorm';
import { CannedReply } from './canned-reply.entity';

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\'. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class CannedReplyRepository extends TenantRepository<CannedReply> {
  constructor(db: DatabaseService) {
    super(db, CannedReply, 'Canned reply');
  }

  /**
   * The library-wide replies and those of `departments` ('all': every department), by title; `q`
   * matches a part of the title or shortcut, whatever the case (ASCII case on SQLite).
   */
  list(scope: LibraryScope, departments: ReadonlySet<string> | 'all', q?: string): Promise<CannedReply[]> {
    const query = this.inDepartments(this.query(scope, 'r'), 'r.departmentId', departments);
    if (q) {
      const pattern = `%${likeEscape(q.toLowerCase())}%`;
      query.andWhere(
        new Brackets((b) => {
          b.where(`LOWER(r.title) LIKE :pattern ESCAPE '\\'`, { pattern }).orWhere(
            `r.shortcut LIKE :pattern ESCAPE '\\'`,
          );
        }),
      );
    }
    return query.orderBy('r.title', 'ASC').addOrderBy('r.id', 'ASC').getMany();
  }

  /** The reply of this department (null: library-wide) holding the shortcut, or null. */
  findByShortcut(scope: LibraryScope, departmentId: string | null, shortcut: string): Promise<CannedReply | null> {
    return this.findOne(scope, { departmentId: departmentId ?? IsNull(), shortcut });
  }
}
