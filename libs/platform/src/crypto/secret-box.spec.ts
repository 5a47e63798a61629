import { testEnvironment } from '@readerdesk/testing';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const env = testEnvironment({ DESK_SECRET_KEY: 'k'.repeat(40) });

  it('opens what it sealed, and never seals the same way twice', () => {
    const box = new SecretBox(env);
    const a = box.seal('mailbox password ü');
    const b = box.seal('mailbox password ü');
    expect(a).not.toBe(b);
    expect(a).not.toContain('password');
    expect(box.open(a)).toBe('mailbox password ü');
    expect(box.openJson(box.sealJson({ imap: 'x', smtp: 'y' }))).toEqual({ imap: 'x', smtp: 'y' });
  });

  it('refuses tampered text and another key with a clear error', () => {
    const box = new SecretBox(env);
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url')].join(':'))).toThrow(
      /cannot be decrypted/,
    );
    const other = new SecretBox(
      testEnvironment({ DESK_SECRET_KEY: 'k'.repeat(40), DESK_ENCRYPTION_KEY: 'e'.repeat(40) }),
    );
    expect(() => other.open(sealed)).toThrow(/DESK_ENCRYPTION_KEY/);
    expect(() => box.open('garbage')).toThrow(/cannot be decrypted/);
  });
});
