/** Where the hours that apply come from (see `departmentFallback`). */
export const CALENDAR_SOURCES = ['own', 'branch', 'default-branch', 'always-open'] as const;
export type CalendarSource = (typeof CALENDAR_SOURCES)[number];

export interface FallbackBranch {
  id: string;
  timeZone: string;
}

export interface DepartmentFallback<B extends FallbackBranch> {
  /** The zone the department's own calendar (without a zone) and 24/7 are read in. */
  zone: string;
  /** The branch calendars to try, in order, after the department's own. */
  branches: Array<{ branch: B; source: 'branch' | 'default-branch' }>;
}

/**
 * What a department without hours of its own falls back to: its branch's calendar, then the library's
 * default branch's (when that is another branch), then 24/7. A branch's calendar is read in that
 * branch's zone; the department's own calendar and 24/7 in its branch's zone, else the default
 * branch's, else the library's.
 */
export function departmentFallback<B extends FallbackBranch>(
  branch: B | null,
  defaultBranch: B | null,
  libraryZone: string,
): DepartmentFallback<B> {
  const branches: DepartmentFallback<B>['branches'] = [];
  if (branch) branches.push({ branch, source: 'branch' });
  if (defaultBranch && defaultBranch.id !== branch?.id)
    branches.push({ branch: defaultBranch, source: 'default-branch' });
  return { zone: branch?.timeZone ?? defaultBranch?.timeZone ?? libraryZone, branches };
}
