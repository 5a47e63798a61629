import { Injectable } from '@nestjs/common';
import { CalendarService } from '@readerdesk/calendars';
import type { LibraryScope } from '@readerdesk/platform';
import { LibraryDirectory } from '@readerdesk/tenancy';

/**
 * Whether the desk is open for a contact (the `openNow` condition). A port, so that matching can be
 * tested with a fake; `CalendarOpeningHours` answers in the desk.
 */
export interface OpeningHours {
  isOpen(scope: LibraryScope, where: { departmentId: string | null; inboxId: string }, at: Date): Promise<boolean>;
}

export const OPENING_HOURS = Symbol('OPENING_HOURS');

/**
 * The opening hours that apply: the department's calendar (which falls back to its branch's, the
 * library's default branch's, then 24/7), or without a department the default branch's (24/7 when the library has none).
 */
@Injectable()
export class CalendarOpeningHours implements OpeningHours {
  constructor(
    private readonly calendars: CalendarService,
    private readonly libraries: LibraryDirectory,
  ) {}

  async isOpen(scope: LibraryScope, where: { departmentId: string | null }, at: Date): Promise<boolean> {
    if (where.departmentId) return (await this.calendars.forDepartment(scope, where.departmentId)).isOpenAt(at);
    const branch = await this.libraries.defaultBranch(scope);
    return branch ? (await this.calendars.forBranch(scope, branch.id)).isOpenAt(at) : true;
  }
}

/** 24/7: for tests and set-ups without calendars. */
@Injectable()
export class AlwaysOpen implements OpeningHours {
  isOpen(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
