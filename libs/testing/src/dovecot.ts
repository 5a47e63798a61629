import { ImapFlow } from 'imapflow';
import { freePort } from './local';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Dovecot's master daemonises and keeps inherited pipes open, so wait for the launcher's exit, not its output. */
function launch(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOVECOT, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`dovecot ${args.join(' ')} exited ${code}`)),
    );
  });
}
const DOVECOT = '/usr/sbin/dovecot';

export interface DovecotUser {
  user: string;
  password: string;
}

/** A throwaway Dovecot IMAP server on loopback, for tests that need a real mailbox. */
export interface TestDovecot {
  host: string;
  port: number;
  users: DovecotUser[];
  /** Puts a message into a user's folder over IMAP APPEND (creating the folder when missing); returns its UID. */
  append(user: string, folder: string, raw: Buffer | string, flags?: string[]): Promise<number | undefined>;
  /** Many messages over one connection (bulk fills for benchmarks). */
  appendMany(user: string, folder: string, raws: Iterable<Buffer | string>): Promise<number>;
  /** Stops the server and starts it again on the same port and data: the server vanishing and coming back. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stop without starting again (for tests of an unreachable server); `start()` brings it back. */
  halt(): Promise<void>;
  start(): Promise<void>;
}

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT);
}

/** Why Dovecot tests cannot run here, or undefined when they can; say it loudly in the suite. */
export function dovecotSkipReason(): string | undefined {
  return dovecotAvailable()
    ? undefined
    : `Dovecot is not installed (${DOVECOT} missing): apt-get install -y dovecot-imapd (.ci/run does) — IMAP tests skipped`;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('data', (greeting) => {
      socket.destroy();
      resolve(greeting.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts Dovecot with its own configuration in a temporary directory (the recipe in
 * ../shared/recipes/dovecot-imap-for-tests.md): plain-text login on loopback, passwd-file users, maildirs.
 */
export async function startDovecot(
  users: DovecotUser[] = [{ user: 'desk', password: 'desk-secret' }],
): Promise<TestDovecot> {
  const dir = await mkdtemp(join(tmpdir(), 'readerdesk-dovecot-'));
  // Dovecot's unprivileged processes must reach the directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  await mkdir(join(dir, 'mail'), { recursive: true });
  await writeFile(join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}`).join('\n') + '\n');
  const config = join(dir, 'dovecot.conf');
  await writeFile(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
mail_location = maildir:~/Maildir
`,
  );
  await run('chown', ['-R', 'dovecot:dovecot', join(dir, 'mail')]);

  const start = async (): Promise<void> => {
    await launch(['-c', config]);
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (Date.now() > deadline) throw new Error(`Dovecot did not accept connections on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const halt = async (): Promise<void> => {
    await launch(['-c', config, 'stop']).catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (await accepting(port)) {
      if (Date.now() > deadline) throw new Error('Dovecot did not stop');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The master removes its pid file last; starting again before that fails.
    while (existsSync(join(dir, 'run', 'master.pid')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();

  return {
    host: '127.0.0.1',
    port,
    users,
    start,
    halt,
    restart: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    append: async (user, folder, raw, flags = []) => {
      const client = await connectAs(user);
      try {
        if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined);
        const appended = await client.append(folder, raw, flags);
        return appended ? appended.uid : undefined;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    appendMany: async (user, folder, raws) => {
      const client = await connectAs(user);
      let count = 0;
      try {
        if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined);
        for (const raw of raws) {
          await client.append(folder, raw);
          count += 1;
        }
        return count;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };

  async function connectAs(user: string): Promise<ImapFlow> {
    const account = users.find((u) => u.user === user);
    if (!account) throw new Error(`no Dovecot user ${user}`);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: account.password },
      logger: false,
    });
    await client.connect();
    return client;
  }
}
