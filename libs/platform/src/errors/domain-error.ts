import type { ErrorDescriptor } from './define-errors';
import { PlatformErrors } from './platform.errors';

/**
 * Errors that services throw; the HTTP filter maps `status` to the response. The code is stable and
 * machine-readable (clients switch on it); the message is for people. Construct one from a
 * descriptor of a library's `*.errors.ts` (`new DomainError(ConversationErrors.conversationClosed, '…')`),
 * so that each code has its HTTP status in one place.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(
    error: ErrorDescriptor,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = error.code;
    this.status = error.status;
  }

  /** Whether this error is of the kind the descriptor names. */
  is(error: ErrorDescriptor): boolean {
    return this.code === error.code;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(PlatformErrors.notFound, `${what} was not found`);
  }
}

/** A dependency is away for now (a 503 descriptor): the client may try again. */
export class ServiceUnavailableError extends DomainError {
  constructor(error: ErrorDescriptor, message: string) {
    if (error.status !== 503) throw new Error(`${error.code} is not a 503 error`);
    super(error, message);
  }
}
