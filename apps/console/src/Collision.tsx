// Collision: who else has this conversation open, and who is typing in it, live (the server keeps the
// set from the viewing room's sockets). Typing is announced at most every few seconds while keys come,
// and ends a moment after the last one; the server also lets it lapse if this tab vanishes.
import { useCallback, useContext, useEffect, useRef, useState } from 'react';
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ConversationViewer, TypingMode } from '@readerdesk/contracts';
import { LiveContext } from './live';

const RENEW_MS = 3000;
const IDLE_MS = 2500;

export function useCollision(conversationId: string): {
  viewers: ConversationViewer[];
  typing: (mode: TypingMode) => void;
  stopTyping: () => void;
} {
  const live = useContext(LiveContext);
  const [viewers, setViewers] = useState<ConversationViewer[]>([]);
  const state = useRef<{ mode: TypingMode | null; sent: number; idle?: ReturnType<typeof setTimeout> }>({
    mode: null,
    sent: 0,
  });
  const emitTyping = useCallback(
    (mode: TypingMode, on: boolean) =>
      live?.emit('conversation.typing', { conversationId, mode, typing: on }, () => undefined),
    [live, conversationId],
  );
  // Changes only with the socket and the conversation (it reads refs otherwise), so the effect below stays put.
  const stopTyping = useCallback(() => {
    clearTimeout(state.current.idle);
    if (state.current.mode) emitTyping(state.current.mode, false);
    state.current.mode = null;
  }, [emitTyping]);
  useEffect(() => {
    if (!live) return;
    const onViewers = (event: { conversationId: string; viewers: ConversationViewer[] }) => {
      if (event.conversationId === conversationId) setViewers(event.viewers);
    };
    const view = () => live.emit('conversation.view', { conversationId }, () => undefined);
    live.on('conversation.viewers', onViewers);
    live.on('connect', view);
    if (live.connected) view();
    return () => {
      live.off('conversation.viewers', onViewers);
      live.off('connect', view);
      stopTyping();
      live.emit('conversation.leave', { conversationId }, () => undefined);
      setViewers([]);
    };
  }, [live, conversationId, stopTyping]);
  const typing = (mode: TypingMode) => {
    const now = Date.now();
    if (state.current.mode !== mode || now - state.current.sent > RENEW_MS) {
      if (state.current.mode && state.current.mode !== mode) emitTyping(state.current.mode, false);
      emitTyping(mode, true);
      state.current = { ...state.current, mode, sent: now };
    }
    clearTimeout(state.current.idle);
    state.current.idle = setTimeout(stopTyping, IDLE_MS);
  };
  return { viewers, typing, stopTyping };
}

/** "Also here: Lena (typing a reply), Sam" — nothing when the agent is alone. */
export function Viewers({ viewers, me }: { viewers: ConversationViewer[]; me: string }) {
  const { t, i18n } = useTranslation();
  const others = viewers.filter((v) => v.agentId !== me);
  const list = new Intl.ListFormat(i18n.language, { type: 'conjunction' });
  return (
    <Text size="sm" c="dimmed" fw={others.some((v) => v.typing) ? 600 : 400} role="status" data-testid="viewers">
      {others.length > 0 &&
        t('collision.here', {
          who: list.format(
            others.map((v) => (v.typing ? t(`collision.typing.${v.typing}`, { name: v.displayName }) : v.displayName)),
          ),
        })}
    </Text>
  );
}
