/** How the desk reads a mailbox over IMAP. */
export interface ImapSettings {
  host: string;
  port: number;
  /** TLS from the first byte (993); false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  folder: string;
  /** What happens to a message once it is a conversation: left alone, flagged \Seen, or moved. */
  processed: 'none' | 'flag' | 'move';
  moveTo: string | null;
  /** Poll interval when the server cannot IDLE, and the re-check while idling. */
  pollSeconds: number;
}

/** How replies leave. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
}

/** An email inbox's settings as stored (secrets apart) and as the API shows them. */
export interface EmailInboxSettings {
  /** The inbox's address: replies come From it, and inbound SMTP for it lands here. */
  address: string;
  fromName: string | null;
  signature: string | null;
  imap: ImapSettings | null;
  smtp: SmtpSettings | null;
  /** Send "we received your question, reference #…" for genuine new conversations (rate-limited per sender). */
  acknowledge: boolean;
}

export interface EmailInboxSecrets extends Record<string, unknown> {
  imapPassword?: string;
  smtpPassword?: string;
}

/** The settings with what the API may show about secrets: whether they are set, never their value. */
export interface EmailInboxView extends EmailInboxSettings {
  imapPasswordSet: boolean;
  smtpPasswordSet: boolean;
}

export const DEFAULT_POLL_SECONDS = 60;
