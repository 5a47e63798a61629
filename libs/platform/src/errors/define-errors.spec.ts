import { defineErrors } from './define-errors';
import { DomainError, NotFoundError } from './domain-error';

describe('coded errors', () => {
  const Errors = defineErrors({ spec_thing_closed: 409, spec_needs_more: 400 });

  it('names each code in camelCase with its status', () => {
    expect(Errors.specThingClosed).toEqual({ code: 'spec_thing_closed', status: 409 });
    expect(Errors.specNeedsMore).toEqual({ code: 'spec_needs_more', status: 400 });
    expect(Object.isFrozen(Errors.specThingClosed)).toBe(true);
  });

  it('takes the status of a DomainError from its descriptor', () => {
    const error = new DomainError(Errors.specThingClosed, 'The thing is closed', { id: 1 });
    expect(error).toMatchObject({ code: 'spec_thing_closed', status: 409, message: 'The thing is closed' });
    expect(error.details).toEqual({ id: 1 });
    expect(error.is(Errors.specThingClosed)).toBe(true);
    expect(error.is(Errors.specNeedsMore)).toBe(false);
  });

  it('builds not found from the platform descriptor', () => {
    expect(new NotFoundError('Department')).toMatchObject({
      code: 'not_found',
      status: 404,
      message: 'Department was not found',
    });
  });

  it('refuses a code defined again with another status, codes not in snake_case and statuses that are no errors', () => {
    expect(defineErrors({ spec_thing_closed: 409 }).specThingClosed.status).toBe(409);
    expect(() => defineErrors({ spec_thing_closed: 410 })).toThrow(/status 409 already/);
    expect(() => defineErrors({ SpecBad: 400 })).toThrow(/snake_case/);
    expect(() => defineErrors({ spec_ok_status: 200 })).toThrow(/4xx or 5xx/);
  });
});
