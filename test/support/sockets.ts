import type { ClientToServerEvents, ServerToClientEvents } from '@readerdesk/contracts';
import { io, Socket } from 'socket.io-client';

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectedConsole {
  socket: ConsoleSocket;
  /** Every event the server pushed, in order. */
  received: Array<[string, unknown]>;
}

/** An agent console's socket, connected and past the server's room joins. */
export async function connectConsole(baseUrl: string, accessToken?: string): Promise<ConnectedConsole> {
  const socket: ConsoleSocket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: accessToken ? { token: accessToken } : {},
    reconnection: false,
  });
  const received: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => received.push([event, payload]));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // The server joins rooms right after the handshake; give it that moment.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return { socket, received };
}

/** Waits until `check` holds, or fails after `ms` with `what`. */
export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
