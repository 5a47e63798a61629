import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createTransport, type SendMailOptions, type SMTPPoolSentMessageInfo } from 'nodemailer';
import type { SmtpSettings } from './email-inbox.settings';

export interface SmtpTransport {
  sendMail(mail: SendMailOptions): Promise<SMTPPoolSentMessageInfo>;
  close(): void;
}

// Generous for a slow relay, short enough that a dead one fails the attempt rather than hang the worker.
const CONNECTION_TIMEOUT_MS = 30_000;
const GREETING_TIMEOUT_MS = 30_000;
const SOCKET_TIMEOUT_MS = 120_000;

/**
 * One pooled SMTP transport per inbox, rebuilt when the inbox's settings or password change, so
 * consecutive replies reuse a connection instead of logging in each time. Closed at shutdown,
 * after the queue has let running sends finish.
 */
@Injectable()
export class SmtpTransports implements OnApplicationShutdown {
  private readonly cache = new Map<string, { key: string; transport: SmtpTransport }>();

  for(inboxId: string, smtp: SmtpSettings, password: string | undefined): SmtpTransport {
    // A digest, so the cache key never holds the password itself.
    const key = createHash('sha256')
      .update(JSON.stringify([smtp.host, smtp.port, smtp.secure, smtp.user, password ?? null]))
      .digest('hex');
    const cached = this.cache.get(inboxId);
    if (cached?.key === key) return cached.transport;
    cached?.transport.close();
    const transport = createTransport({
      pool: true,
      maxConnections: 2,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: password ?? '' } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      // Attachments are streams the desk opened itself; nothing in a message may make the mailer read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.cache.set(inboxId, { key, transport });
    return transport;
  }

  onApplicationShutdown(): void {
    for (const { transport } of this.cache.values()) transport.close();
    this.cache.clear();
  }
}
