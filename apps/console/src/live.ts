// The console's socket: same origin, the session cookie on the handshake. Every event the desk
// pushes invalidates the queries it touches, so lists and timelines follow without polling.
import { createContext } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { QueryClient } from '@tanstack/react-query';
import type { ClientToServerEvents, ServerToClientEvents } from '@readerdesk/contracts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The signed-in console's one socket, for the screens that speak on it (offers, collision). */
export const LiveContext = createContext<LiveSocket | null>(null);

export function connectLive(queries: QueryClient, onState: (connected: boolean) => void): LiveSocket {
  const socket: LiveSocket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket'] });
  socket.on('connect', () => onState(true));
  socket.on('disconnect', () => onState(false));
  // One contact brings several events at once (opened, appended, …): the lists are read again once for all
  // of them, a frame later, instead of each event cancelling the read the one before started.
  let queued = false;
  const queue = () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      void queries.invalidateQueries({ queryKey: ['conversations'] });
    }, 16);
  };
  const one = (id: string) => {
    void queries.invalidateQueries({ queryKey: ['conversation', id] });
    void queries.invalidateQueries({ queryKey: ['timeline', id] });
  };
  socket.on('conversation.opened', queue);
  socket.on('conversation.updated', (e) => (queue(), one(e.conversationId)));
  socket.on('conversation.status-changed', (e) => (queue(), one(e.conversationId)));
  socket.on('message.appended', (e) => (queue(), one(e.conversationId)));
  socket.on('message.delivery-changed', (e) => one(e.conversationId));
  socket.on('sla.warning', queue);
  socket.on('sla.breached', queue);
  socket.on('mention.created', () => void queries.invalidateQueries({ queryKey: ['mentions'] }));
  socket.on('queue-stats.changed', () => void queries.invalidateQueries({ queryKey: ['queue-stats'] }));
  // Administration's inboxes tab shows each mailbox's state (GET /inboxes/:id/email).
  socket.on('mailbox.health-changed', (e) => void queries.invalidateQueries({ queryKey: ['inbox-email', e.inboxId] }));
  return socket;
}
