import { Injectable } from '@nestjs/common';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { DomainError, EventBus, isUniqueViolation, LibraryScope, SecretBox } from '@readerdesk/platform';
import { ChannelErrors } from '../channels.errors';
import {
  DEFAULT_POLL_SECONDS,
  EmailInboxSecrets,
  EmailInboxSettings,
  EmailInboxView,
  ImapSettings,
  SmtpSettings,
} from './email-inbox.settings';
import { MailboxSettingsChanged } from './mailbox.events';

/** What an administrator sends; passwords are write-only and omitted to keep the stored ones. */
export interface EmailInboxInput {
  name?: string;
  defaultDepartmentId?: string | null;
  address?: string;
  fromName?: string | null;
  signature?: string | null;
  acknowledge?: boolean;
  imap?: (Partial<ImapSettings> & { password?: string }) | null;
  smtp?: (Partial<SmtpSettings> & { password?: string }) | null;
}

export interface EmailInboxConfig {
  inbox: Inbox;
  settings: EmailInboxSettings;
  secrets: EmailInboxSecrets;
}

function normaliseAddress(address: string): string {
  const a = address.trim().toLowerCase();
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(a)) {
    throw new DomainError(ChannelErrors.invalidAddress, `Not an email address: ${JSON.stringify(address)}`);
  }
  return a;
}

/** Email inboxes: their settings in the inbox row, their passwords sealed, and the view the API may show. */
@Injectable()
export class EmailInboxService {
  constructor(
    private readonly inboxes: InboxService,
    private readonly box: SecretBox,
    private readonly events: EventBus,
  ) {}

  settingsOf(inbox: Inbox): EmailInboxSettings {
    if (inbox.channel !== 'email')
      throw new DomainError(ChannelErrors.notEmailInbox, 'That inbox is not an email inbox');
    return inbox.settings as unknown as EmailInboxSettings;
  }

  view(inbox: Inbox): EmailInboxView {
    const secrets = this.box.openJson<EmailInboxSecrets>(inbox.secrets);
    return {
      ...this.settingsOf(inbox),
      imapPasswordSet: !!secrets.imapPassword,
      smtpPasswordSet: !!secrets.smtpPassword,
    };
  }

  /** Settings with their secrets opened: for the worker's fetchers and senders only. */
  config(inbox: Inbox): EmailInboxConfig {
    return { inbox, settings: this.settingsOf(inbox), secrets: this.box.openJson<EmailInboxSecrets>(inbox.secrets) };
  }

  async create(scope: LibraryScope, input: EmailInboxInput & { name: string; address: string }): Promise<Inbox> {
    const { settings, secrets } = this.merge(null, {}, input);
    let inbox: Inbox;
    try {
      inbox = await this.inboxes.create(scope, {
        channel: 'email',
        name: input.name,
        defaultDepartmentId: input.defaultDepartmentId ?? null,
        address: settings.address,
        settings: settings as unknown as Record<string, unknown>,
        secrets: this.box.sealJson(secrets),
      });
    } catch (error) {
      throw this.addressTaken(error, settings.address);
    }
    // The worker starts reading the mailbox now rather than at its next round (15 s).
    this.events.publish(MailboxSettingsChanged, { libraryId: scope.libraryId, inboxId: inbox.id });
    return inbox;
  }

  async update(scope: LibraryScope, id: string, input: EmailInboxInput): Promise<Inbox> {
    const inbox = await this.inboxes.get(scope, id);
    const current = this.settingsOf(inbox);
    const { settings, secrets } = this.merge(current, this.box.openJson<EmailInboxSecrets>(inbox.secrets), input);
    const changes = {
      name: input.name ?? inbox.name,
      defaultDepartmentId:
        input.defaultDepartmentId === undefined ? inbox.defaultDepartmentId : input.defaultDepartmentId,
      address: settings.address,
      settings: settings as unknown as Record<string, unknown>,
      secrets: this.box.sealJson(secrets),
    };
    try {
      await this.inboxes.update(scope, id, changes);
    } catch (error) {
      throw this.addressTaken(error, settings.address);
    }
    this.events.publish(MailboxSettingsChanged, { libraryId: scope.libraryId, inboxId: id });
    return { ...inbox, ...changes };
  }

  private addressTaken(error: unknown, address: string): unknown {
    return isUniqueViolation(error)
      ? new DomainError(ChannelErrors.addressTaken, `Another inbox already receives mail for ${address}`)
      : error;
  }

  private merge(
    current: EmailInboxSettings | null,
    secrets: EmailInboxSecrets,
    input: EmailInboxInput,
  ): { settings: EmailInboxSettings; secrets: EmailInboxSecrets } {
    const address = input.address !== undefined ? normaliseAddress(input.address) : current?.address;
    if (!address) throw new DomainError(ChannelErrors.invalidAddress, 'An email inbox needs its address');
    const next: EmailInboxSecrets = { ...secrets };
    let imap = current?.imap ?? null;
    if (input.imap === null) {
      imap = null;
      delete next.imapPassword;
    } else if (input.imap) {
      const { password, ...given } = input.imap;
      const merged = { ...imap, ...given };
      if (!merged.host || !merged.user || !merged.port) {
        throw new DomainError(ChannelErrors.invalidImap, 'IMAP needs host, port and user');
      }
      const processed = merged.processed ?? 'flag';
      if (processed === 'move' && !merged.moveTo) {
        throw new DomainError(
          ChannelErrors.invalidImap,
          'IMAP processed "move" needs moveTo, the folder to move mail to',
        );
      }
      imap = {
        host: merged.host,
        port: merged.port,
        secure: merged.secure ?? merged.port === 993,
        user: merged.user,
        folder: merged.folder ?? 'INBOX',
        processed,
        moveTo: processed === 'move' ? (merged.moveTo ?? null) : null,
        pollSeconds: merged.pollSeconds ?? DEFAULT_POLL_SECONDS,
      };
      if (password !== undefined) next.imapPassword = password;
      if (!next.imapPassword) throw new DomainError(ChannelErrors.invalidImap, 'IMAP needs the mailbox password');
    }
    let smtp = current?.smtp ?? null;
    if (input.smtp === null) {
      smtp = null;
      delete next.smtpPassword;
    } else if (input.smtp) {
      const { password, ...given } = input.smtp;
      const merged = { ...smtp, ...given };
      if (!merged.host || !merged.port) throw new DomainError(ChannelErrors.invalidSmtp, 'SMTP needs host and port');
      smtp = {
        host: merged.host,
        port: merged.port,
        secure: merged.secure ?? merged.port === 465,
        user: merged.user ?? null,
      };
      if (password !== undefined) next.smtpPassword = password;
    }
    return {
      settings: {
        address,
        fromName: input.fromName !== undefined ? input.fromName : (current?.fromName ?? null),
        signature: input.signature !== undefined ? input.signature : (current?.signature ?? null),
        acknowledge: input.acknowledge ?? current?.acknowledge ?? false,
        imap,
        smtp,
      },
      secrets: next,
    };
  }
}
