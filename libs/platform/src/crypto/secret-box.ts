import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Environment } from '../config/environment';
import { resolveSecretKey } from '../config/secret-key';
import { DomainError } from '../errors/domain-error';
import { PlatformErrors } from '../errors/platform.errors';

const VERSION = 'v1';

/** The 32-byte key for channel secrets: DESK_ENCRYPTION_KEY, else derived from the token-signing key. */
export function encryptionKey(env: Environment): Buffer {
  const material = env.DESK_ENCRYPTION_KEY ?? resolveSecretKey(env);
  // HKDF keeps the two uses apart even when both come from one configured secret.
  return Buffer.from(hkdfSync('sha256', material, 'readerdesk', 'channel-secrets/v1', 32));
}

/**
 * Encrypts channel secrets (mailbox and SMTP passwords, API keys) for storage: AES-256-GCM with a
 * random nonce, so a copy of the database alone reveals none of them and tampering is detected.
 */
@Injectable()
export class SecretBox {
  private cachedKey: Buffer | null = null;

  constructor(private readonly env: Environment) {}

  /** Derived on first use: a process that never touches channel secrets needs no key configured. */
  private get key(): Buffer {
    this.cachedKey ??= encryptionKey(this.env);
    return this.cachedKey;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) throw this.unreadable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw this.unreadable();
    }
  }

  sealJson(value: Record<string, unknown>): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T extends Record<string, unknown>>(sealed: string | null): T {
    return (sealed ? JSON.parse(this.open(sealed)) : {}) as T;
  }

  private unreadable(): DomainError {
    return new DomainError(
      PlatformErrors.secretUnreadable,
      'A stored channel secret cannot be decrypted: was DESK_ENCRYPTION_KEY (or DESK_SECRET_KEY) changed?',
    );
  }
}
