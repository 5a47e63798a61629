import { Injectable } from '@nestjs/common';
import type { LibraryScope } from '@readerdesk/platform';

/**
 * Whether the desk is open for a contact (the `openNow` condition). The calendars library (opening
 * hours per branch and department) will provide it; until it is wired in, `AlwaysOpen` answers.
 */
export interface OpeningHours {
  isOpen(scope: LibraryScope, where: { departmentId: string | null; inboxId: string }, at: Date): Promise<boolean>;
}

export const OPENING_HOURS = Symbol('OPENING_HOURS');

/** 24/7: the default until calendars exist. */
@Injectable()
export class AlwaysOpen implements OpeningHours {
  isOpen(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
