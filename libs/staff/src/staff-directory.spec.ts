import { libraryScope } from '@readerdesk/platform';
import type { AgentRepository } from './agent.repository';
import type { DepartmentRepository } from './department.repository';
import { StaffDirectory, worksIn } from './staff-directory';

const scope = libraryScope('library-1');

describe('StaffDirectory', () => {
  const agents = {
    findById: jest.fn(async (_scope: unknown, id: string) =>
      id === 'ana' ? { id: 'ana', role: 'agent', active: false } : null,
    ),
    departmentIds: jest.fn(async () => ['circulation']),
  };
  const departments = {
    findByIds: jest.fn(async () => [{ id: 'circulation' }]),
  };
  const directory = new StaffDirectory(
    agents as unknown as AgentRepository,
    departments as unknown as DepartmentRepository,
  );

  it('answers who a member of staff is and where they work, or null for someone not of this library', async () => {
    expect(await directory.member(scope, 'ana')).toEqual({
      id: 'ana',
      role: 'agent',
      active: false,
      departmentIds: ['circulation'],
    });
    expect(await directory.member(scope, 'elsewhere')).toBeNull();
  });

  it('has administrators work in every department, everyone else in theirs', () => {
    expect(worksIn({ id: 'a', role: 'administrator', active: true, departmentIds: [] }, 'reference')).toBe(true);
    expect(worksIn({ id: 'b', role: 'supervisor', active: true, departmentIds: ['circulation'] }, 'reference')).toBe(
      false,
    );
    expect(worksIn({ id: 'c', role: 'agent', active: true, departmentIds: ['reference'] }, 'reference')).toBe(true);
  });

  it('refuses departments the library does not have with 404, naming them', async () => {
    await expect(directory.assertDepartmentsExist(scope, ['circulation'])).resolves.toBeUndefined();
    await expect(directory.assertDepartmentsExist(scope, ['circulation', 'nowhere', 'nowhere'])).rejects.toThrow(
      expect.objectContaining({ code: 'not_found', status: 404, message: 'Department nowhere was not found' }),
    );
    departments.findByIds.mockClear();
    await directory.assertDepartmentsExist(scope, []);
    expect(departments.findByIds).not.toHaveBeenCalled();
  });
});
