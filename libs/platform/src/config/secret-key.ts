import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Environment } from './environment';

/**
 * The key that signs tokens. Production requires DESK_SECRET_KEY (the schema enforces it). In
 * development on SQLite a random key is kept next to the database file, so sessions survive a
 * restart; on PostgreSQL without a key each process would differ, so that combination is refused.
 */
export function resolveSecretKey(env: Environment): string {
  if (env.DESK_SECRET_KEY) return env.DESK_SECRET_KEY;
  if (env.DATABASE_URL) {
    throw new Error(
      'DESK_SECRET_KEY: required with DATABASE_URL, so that every api process signs tokens with the same key',
    );
  }
  const file = join(dirname(env.SQLITE_PATH), 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
