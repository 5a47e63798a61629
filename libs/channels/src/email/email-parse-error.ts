/**
 * Why a raw message could not be read at all. Anything short of these (odd charsets, broken MIME,
 * oversized attachments, trimmed headers) still yields a ParsedEmail with warnings.
 * - `empty_message`: no bytes, or only whitespace
 * - `message_too_large`: over `maxMessageBytes`
 * - `not_an_email`: not a single header field before the body (binary or plain text)
 * - `mime_limit_exceeded`: the MIME structure goes past the parser's nesting or header limits
 * - `unreadable`: the MIME parser failed for any other reason
 */
export type EmailParseErrorCode =
  'empty_message' | 'message_too_large' | 'not_an_email' | 'mime_limit_exceeded' | 'unreadable';

export class EmailParseError extends Error {
  constructor(
    readonly code: EmailParseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmailParseError';
  }
}
