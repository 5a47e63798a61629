/**
 * Errors that services throw; the HTTP filter maps `status` to the response. The code is stable and
 * machine-readable (clients switch on it); the message is for people.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} was not found`, 404);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 503);
  }
}
