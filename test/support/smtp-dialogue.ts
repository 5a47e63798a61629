import { connect as connectTcp, Socket } from 'node:net';
import { connect as connectTls, TLSSocket } from 'node:tls';

export interface SmtpReply {
  code: number;
  /** Every line of the reply, with its code. */
  lines: string[];
  /** The text of the lines without their codes, joined with newlines. */
  text: string;
}

/**
 * A plain SMTP client on a socket, command by command, for what a mailer library hides: the exact
 * replies, EHLO keywords, a STARTTLS upgrade, DATA without a declared SIZE, bytes sent as given.
 */
export class SmtpDialogue {
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  private waiter?: () => void;
  private closed = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<{ dialogue: SmtpDialogue; greeting: SmtpReply }> {
    const socket = connectTcp({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const dialogue = new SmtpDialogue(socket);
    return { dialogue, greeting: await dialogue.reply() };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get tlsSocket(): TLSSocket | null {
    return this.socket instanceof TLSSocket ? this.socket : null;
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  private parse(): void {
    for (;;) {
      const lines = this.buffer.split('\r\n');
      const end = lines.findIndex((line, i) => i < lines.length - 1 && /^\d{3}(?: |$)/.test(line));
      if (end < 0) return;
      const replyLines = lines.slice(0, end + 1);
      this.buffer = lines.slice(end + 1).join('\r\n');
      this.replies.push({
        code: Number(replyLines[end].slice(0, 3)),
        lines: replyLines,
        text: replyLines.map((line) => line.slice(4)).join('\n'),
      });
      this.waiter?.();
    }
  }

  /** The next reply of the server; fails after `ms` instead of hanging the test. */
  async reply(ms = 10_000): Promise<SmtpReply> {
    const deadline = Date.now() + ms;
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('the server closed the connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for an SMTP reply');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.replies.shift() as SmtpReply;
  }

  /** Bytes as they are, for a test that sends a message in parts. */
  write(text: string): void {
    this.socket.write(Buffer.from(text, 'utf8'));
  }

  async command(line: string | Buffer): Promise<SmtpReply> {
    this.socket.write(Buffer.concat([Buffer.from(line), Buffer.from('\r\n')]));
    return this.reply();
  }

  /** EHLO, answered with its keywords upper-cased (`SIZE 1024`, `STARTTLS`…). */
  async ehlo(name = 'relay.test.example'): Promise<string[]> {
    const reply = await this.command(`EHLO ${name}`);
    if (reply.code !== 250) throw new Error(`EHLO answered ${reply.lines.join(' | ')}`);
    return reply.lines.slice(1).map((line) => line.slice(4).toUpperCase());
  }

  /** DATA, then the message dot-stuffed (after any line feed, as the server reads it) and the final dot. */
  async data(message: Buffer): Promise<SmtpReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    const text = message.toString('latin1').replace(/(^|\n)\./g, '$1..');
    const ending = text.endsWith('\r\n') ? '' : '\r\n';
    this.socket.write(Buffer.from(`${text}${ending}.\r\n`, 'latin1'));
    return this.reply();
  }

  /** STARTTLS and the handshake on the same socket; the certificate is not checked (it is self-signed). */
  async startTls(servername = 'localhost'): Promise<SmtpReply> {
    const ready = await this.command('STARTTLS');
    if (ready.code !== 220) return ready;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = connectTls({ socket: plain, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return ready;
  }

  async quit(): Promise<void> {
    if (!this.closed) await this.command('QUIT').catch(() => undefined);
    this.socket.destroy();
  }
}
