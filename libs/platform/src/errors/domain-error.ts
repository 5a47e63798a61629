import type { ErrorDescriptor } from './define-errors';
import { PlatformErrors } from './platform.errors';

/**
 * Errors that services throw; the HTTP filter maps `status` to the response. The code is stable and
 * machine-readable (clients switch on it); the message is for people. Construct one from a
 * descriptor of a library's `*.errors.ts` (`new DomainError(ConversationErrors.conversationClosed, '…')`);
 * the form with a free code and status is kept for files not converted yet.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(error: ErrorDescriptor, message: string, details?: Record<string, unknown>);
  /** @deprecated Define the code in the library's `*.errors.ts` and pass its descriptor. */
  constructor(code: string, message: string, status?: number, details?: Record<string, unknown>);
  constructor(
    error: ErrorDescriptor | string,
    message: string,
    statusOrDetails?: number | Record<string, unknown>,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    if (typeof error === 'string') {
      this.code = error;
      this.status = typeof statusOrDetails === 'number' ? statusOrDetails : 400;
      this.details = details;
    } else {
      this.code = error.code;
      this.status = error.status;
      this.details = typeof statusOrDetails === 'object' ? statusOrDetails : undefined;
    }
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

export class ServiceUnavailableError extends DomainError {
  constructor(code: string, message: string) {
    super({ code, status: 503 }, message);
  }
}
