// The header's mentions (notes that @mention the agent, unread first) and the attention switches
// (desktop notifications, sound). A new mention arrives on the socket (live.ts invalidates ['mentions']).
import { useState } from 'react';
import { Button, Popover, Stack, Switch, Text, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { alertOn, setAlert } from './alerts';
import { api } from './api';

interface Mention {
  id: string;
  conversationId: string;
  conversationNumber: number;
  byName: string | null;
  excerpt: string;
  createdAt: string;
  readAt: string | null;
}

export function Mentions({ onOpen }: { onOpen: (conversationId: string) => void }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [opened, setOpened] = useState(false);
  const unread = useQuery({
    queryKey: ['mentions', 'unread'],
    queryFn: () => api<{ items: Mention[] }>('GET', '/mentions?unread=true&limit=50'),
  });
  const read = useMutation({
    mutationFn: (id: string) => api('POST', `/mentions/${id}/read`),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['mentions'] }),
  });
  const items = unread.data?.items ?? [];
  const number = new Intl.NumberFormat(i18n.language);
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' });
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" shadow="md" trapFocus>
      <Popover.Target>
        <Button variant={items.length ? 'filled' : 'subtle'} size="xs" onClick={() => setOpened((o) => !o)}>
          {items.length
            ? t('mentions.count', { count: items.length, n: number.format(items.length) })
            : t('mentions.title')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={300} aria-label={t('mentions.title')}>
          {items.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('mentions.none')}
            </Text>
          )}
          {items.map((m) => (
            <UnstyledButton
              key={m.id}
              onClick={() => {
                read.mutate(m.id);
                onOpen(m.conversationId);
                setOpened(false);
              }}
            >
              <Text size="sm" fw={600}>
                #{m.conversationNumber} · {m.byName ?? t('people.colleague')} · {time.format(new Date(m.createdAt))}
              </Text>
              <Text size="sm" lineClamp={2}>
                {m.excerpt}
              </Text>
            </UnstyledButton>
          ))}
          <AlertSwitches />
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function AlertSwitches() {
  const { t } = useTranslation();
  const [notify, setNotify] = useState(() => alertOn('notify'));
  const [sound, setSound] = useState(() => alertOn('sound'));
  return (
    <Stack gap={6} mt="xs">
      <Switch
        label={t('alerts.notify')}
        checked={notify}
        onChange={(e) => void setAlert('notify', e.currentTarget.checked).then(setNotify)}
        size="xs"
      />
      <Switch
        label={t('alerts.sound')}
        checked={sound}
        onChange={(e) => void setAlert('sound', e.currentTarget.checked).then(setSound)}
        size="xs"
      />
    </Stack>
  );
}
