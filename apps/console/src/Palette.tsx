// Ctrl/⌘+K: the command palette (Mantine Spotlight) — go to a screen, set presence, open one of the
// open conversations by number or words. `?` lists every shortcut.
import { useEffect, useState } from 'react';
import { Button, Kbd, Modal, Table } from '@mantine/core';
import { Spotlight, spotlight, type SpotlightActionData, type SpotlightActionGroupData } from '@mantine/spotlight';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { PRESENCES } from '@readerdesk/contracts';
import { api, type Agent, type Conversation } from './api';
import { typingIn } from './util';

/** Sets the agent's presence and tells every switch showing it. */
export async function setPresence(queries: QueryClient, presence: string): Promise<void> {
  const answer = await api<{ presence: string }>('PUT', '/agents/me/presence', { presence });
  queries.setQueryData(['presence'], answer.presence);
}

export function Palette({ me, onOpen }: { me: Agent; onOpen: (conversationId: string) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [opened, setOpened] = useState(false);
  // What the palette can open: the open conversations, soonest due first (read when it opens).
  const open = useQuery({
    queryKey: ['conversations', 'palette'],
    queryFn: () => api<{ items: Conversation[] }>('GET', '/conversations?status=new,open,pending&sort=due&limit=100'),
    enabled: opened,
  });
  const go = (hash: string) => () => void (window.location.hash = hash);
  const screens: SpotlightActionData[] = [
    { id: 'queue', label: t('palette.queue'), onClick: go('#/') },
    ...(me.role !== 'agent' ? [{ id: 'board', label: t('palette.board'), onClick: go('#/board') }] : []),
    ...(me.role !== 'agent' ? [{ id: 'admin', label: t('palette.admin'), onClick: go('#/admin') }] : []),
  ];
  const actions: SpotlightActionGroupData[] = [
    { group: t('palette.go'), actions: screens },
    {
      group: t('shell.presence'),
      actions: PRESENCES.map((p) => ({
        id: `presence-${p}`,
        label: t('palette.presence', { presence: t(`presence.${p}`) }),
        onClick: () => void setPresence(queries, p).catch(() => undefined),
      })),
    },
    {
      group: t('palette.conversations'),
      actions: (open.data?.items ?? []).map((c) => ({
        id: `conversation-${c.id}`,
        label: `#${c.number} ${c.subject ?? t('conversation.noSubject')}`,
        description: `${t(`channel.${c.channel}`)} · ${t(`status.${c.status}`)}`,
        keywords: [String(c.number), ...c.tags],
        onClick: () => onOpen(c.id),
      })),
    },
  ];
  return (
    <>
      <Button
        variant="subtle"
        size="xs"
        onClick={() => spotlight.open()}
        aria-keyshortcuts="Control+K"
        className="rd-hide-narrow"
      >
        {t('palette.open')} <Kbd ms={6}>Ctrl K</Kbd>
      </Button>
      <Spotlight
        actions={actions}
        shortcut={['mod + K']}
        // In a text field too: an agent writing a reply reaches the palette without leaving it first.
        tagsToIgnore={[]}
        onSpotlightOpen={() => setOpened(true)}
        onSpotlightClose={() => setOpened(false)}
        nothingFound={t('palette.nothing')}
        searchProps={{ placeholder: t('palette.search'), 'aria-label': t('palette.search') }}
        title={t('palette.open')}
        styles={{ actionDescription: { color: 'inherit', opacity: 1 } }}
        highlightQuery
        limit={30}
        scrollable
        maxHeight={400}
      />
    </>
  );
}

const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'shortcuts.move'],
  ['Enter', 'shortcuts.open'],
  ['r', 'shortcuts.reply'],
  ['n', 'shortcuts.note'],
  ['a', 'shortcuts.assign'],
  ['e', 'shortcuts.resolve'],
  ['Ctrl/⌘ + Enter', 'shortcuts.send'],
  ['Esc', 'shortcuts.leave'],
  ['Ctrl/⌘ + K', 'shortcuts.palette'],
  ['?', 'shortcuts.help'],
];

/** `?` (outside a field) shows every shortcut. */
export function Shortcuts() {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!typingIn(event) && event.key === '?') setOpened(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Modal
      opened={opened}
      onClose={() => setOpened(false)}
      title={t('shortcuts.title')}
      closeButtonProps={{ 'aria-label': t('close.cancel') }}
    >
      <Table>
        <Table.Caption>{t('shortcuts.caption')}</Table.Caption>
        <Table.Tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <Table.Tr key={what}>
              <Table.Th scope="row">
                <Kbd>{keys}</Kbd>
              </Table.Th>
              <Table.Td>{t(what)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
