import { Injectable } from '@nestjs/common';
import { ConversationService } from '@readerdesk/conversations';
import { DomainError, isUniqueViolation, LibraryScope, newRowId, NotFoundError } from '@readerdesk/platform';
import { ReaderService } from '@readerdesk/readers';
import { type AgentRole, StaffAdminService, StaffDirectory, StaffErrors } from '@readerdesk/staff';
import { LibraryAdminService } from '@readerdesk/tenancy';
import { type RenderedReply, renderCannedReply } from './canned-reply-template';
import { CannedReply } from './canned-reply.entity';
import { CannedReplyRepository } from './canned-reply.repository';
import { CannedReplyErrors } from './canned-replies.errors';

/** Who asks: their role and the departments they work in ('all': an administrator, or a key that reads). */
export interface CannedReplyCaller {
  agentId: string;
  role: AgentRole;
  departments: ReadonlySet<string> | 'all';
}

export interface CannedReplyInput {
  title: string;
  text: string;
  /** Null or absent: library-wide. */
  departmentId?: string | null;
  shortcut?: string | null;
}

const normaliseShortcut = (shortcut: string | null | undefined): string | null =>
  shortcut?.trim().toLowerCase() || null;

/**
 * Canned replies: everyone uses the library-wide ones and their departments'; administrators manage
 * any, supervisors their departments' (not library-wide ones), agents none. A reply or department
 * the caller may not see answers 404, like one that does not exist; one they see but may not manage, 403.
 */
@Injectable()
export class CannedReplyService {
  constructor(
    private readonly replies: CannedReplyRepository,
    private readonly staff: StaffDirectory,
    private readonly staffAdmin: StaffAdminService,
    private readonly conversations: ConversationService,
    private readonly readers: ReaderService,
    private readonly libraries: LibraryAdminService,
  ) {}

  /** What the caller may use: library-wide replies and their departments' (with `departmentId`, that one's only and the library's). */
  async list(
    scope: LibraryScope,
    caller: CannedReplyCaller,
    filter: { q?: string; departmentId?: string } = {},
  ): Promise<CannedReply[]> {
    let departments = caller.departments;
    if (filter.departmentId) {
      await this.assertDepartmentVisible(scope, caller, filter.departmentId);
      departments = new Set([filter.departmentId]);
    }
    return this.replies.list(scope, departments, filter.q?.trim() || undefined);
  }

  async create(scope: LibraryScope, caller: CannedReplyCaller, input: CannedReplyInput): Promise<CannedReply> {
    const departmentId = input.departmentId ?? null;
    await this.assertMayManage(scope, caller, departmentId);
    const row: CannedReply = {
      id: newRowId(),
      libraryId: scope.libraryId,
      departmentId,
      title: input.title.trim(),
      shortcut: normaliseShortcut(input.shortcut),
      text: input.text,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await this.assertShortcutFree(scope, row);
    await this.unique(row.shortcut, () => this.replies.insert(scope, row));
    return this.replies.getById(scope, row.id);
  }

  async update(
    scope: LibraryScope,
    caller: CannedReplyCaller,
    id: string,
    input: Partial<CannedReplyInput>,
  ): Promise<CannedReply> {
    const existing = await this.visible(scope, caller, id);
    await this.assertMayManage(scope, caller, existing.departmentId);
    const changes: Partial<CannedReply> = {};
    if (input.title !== undefined) changes.title = input.title.trim();
    if (input.text !== undefined) changes.text = input.text;
    if (input.shortcut !== undefined) changes.shortcut = normaliseShortcut(input.shortcut);
    if (input.departmentId !== undefined && input.departmentId !== existing.departmentId) {
      await this.assertMayManage(scope, caller, input.departmentId);
      changes.departmentId = input.departmentId;
    }
    const after = { ...existing, ...changes };
    await this.assertShortcutFree(scope, after);
    if (Object.keys(changes).length > 0)
      await this.unique(after.shortcut, () => this.replies.update(scope, id, changes));
    return this.replies.getById(scope, id);
  }

  async remove(scope: LibraryScope, caller: CannedReplyCaller, id: string): Promise<void> {
    const existing = await this.visible(scope, caller, id);
    await this.assertMayManage(scope, caller, existing.departmentId);
    await this.replies.delete(scope, id);
  }

  /**
   * The reply's text with its placeholders filled for the conversation, as the caller would send it
   * (agent placeholders are the caller's). 404 when the caller may not see the conversation or the reply.
   */
  async render(
    scope: LibraryScope,
    caller: CannedReplyCaller,
    conversationId: string,
    replyId: string,
  ): Promise<RenderedReply> {
    const conversation = await this.conversations.get(scope, conversationId);
    if (!sees(caller, conversation.departmentId)) throw new NotFoundError('Conversation');
    const reply = await this.visible(scope, caller, replyId);
    const [reader, agent, library] = await Promise.all([
      this.readers.get(scope, conversation.readerId),
      this.staffAdmin.agent(scope, caller.agentId),
      this.libraries.library(scope),
    ]);
    return renderCannedReply(reply.text, {
      reader: { displayName: reader.displayName },
      agent: { displayName: agent.displayName },
      conversation: { number: conversation.number },
      library: { name: library.name },
    });
  }

  /** The reply, if the caller may see it; 404 otherwise (another library's or department's). */
  private async visible(scope: LibraryScope, caller: CannedReplyCaller, id: string): Promise<CannedReply> {
    const reply = await this.replies.getById(scope, id);
    if (!sees(caller, reply.departmentId)) throw new NotFoundError('Canned reply');
    return reply;
  }

  private async assertDepartmentVisible(
    scope: LibraryScope,
    caller: CannedReplyCaller,
    departmentId: string,
  ): Promise<void> {
    if (caller.departments !== 'all' && !caller.departments.has(departmentId))
      throw new NotFoundError(`Department ${departmentId}`);
    await this.staff.assertDepartmentsExist(scope, [departmentId]);
  }

  /** Administrators manage any reply; supervisors their departments' (a department they do not work in reads as unknown). */
  private async assertMayManage(
    scope: LibraryScope,
    caller: CannedReplyCaller,
    departmentId: string | null,
  ): Promise<void> {
    if (caller.role === 'agent')
      throw new DomainError(
        StaffErrors.forbidden,
        'Agents use canned replies; supervisors and administrators manage them',
      );
    if (departmentId === null) {
      if (caller.role !== 'administrator')
        throw new DomainError(StaffErrors.forbidden, 'Library-wide canned replies are managed by administrators');
      return;
    }
    await this.assertDepartmentVisible(scope, caller, departmentId);
  }

  private async assertShortcutFree(scope: LibraryScope, reply: CannedReply): Promise<void> {
    if (!reply.shortcut) return;
    const holder = await this.replies.findByShortcut(scope, reply.departmentId, reply.shortcut);
    if (holder && holder.id !== reply.id) throw duplicateShortcut(reply.shortcut);
  }

  /** The unique indexes settle a race between two saves of one shortcut: the same 409. */
  private async unique<T>(shortcut: string | null, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (shortcut && isUniqueViolation(error)) throw duplicateShortcut(shortcut);
      throw error;
    }
  }
}

function sees(caller: CannedReplyCaller, departmentId: string | null): boolean {
  return departmentId === null || caller.departments === 'all' || caller.departments.has(departmentId);
}

function duplicateShortcut(shortcut: string): DomainError {
  return new DomainError(
    CannedReplyErrors.duplicateShortcut,
    `Another canned reply of this department (or library) has the shortcut "${shortcut}"`,
    { errors: [{ field: 'shortcut', message: `"${shortcut}" is taken` }] },
  );
}
