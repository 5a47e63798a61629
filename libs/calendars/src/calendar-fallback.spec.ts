import { departmentFallback } from './calendar-fallback';

describe('departmentFallback', () => {
  const central = { id: 'central', timeZone: 'America/New_York' };
  const lakeside = { id: 'lakeside', timeZone: 'America/Chicago' };

  it("tries the department's branch, then the default branch, in the department's branch zone", () => {
    expect(departmentFallback(lakeside, central, 'UTC')).toEqual({
      zone: 'America/Chicago',
      branches: [
        { branch: lakeside, source: 'branch' },
        { branch: central, source: 'default-branch' },
      ],
    });
  });

  it('tries the default branch once when the department is in it', () => {
    expect(departmentFallback(central, central, 'UTC')).toEqual({
      zone: 'America/New_York',
      branches: [{ branch: central, source: 'branch' }],
    });
  });

  it("follows the default branch without a branch, and the library's zone without any", () => {
    expect(departmentFallback(null, central, 'UTC')).toEqual({
      zone: 'America/New_York',
      branches: [{ branch: central, source: 'default-branch' }],
    });
    expect(departmentFallback(null, null, 'Europe/Berlin')).toEqual({ zone: 'Europe/Berlin', branches: [] });
  });
});
