// The reader beside the conversation: who they are on every channel, every conversation of theirs the
// agent may see, and the slot where the library system's summary will appear (it says so until then).
import { Anchor, Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Agent, type Conversation, type Reader } from './api';
import type { Change } from './ConversationActions';

export function ReaderPanel({
  readerId,
  current,
  me,
  onOpen,
  change,
}: {
  readerId: string | undefined;
  current: string;
  me: Agent;
  onOpen: (id: string) => void;
  change: Change;
}) {
  const { t, i18n } = useTranslation();
  const reader = useQuery({
    queryKey: ['reader', readerId],
    queryFn: () => api<Reader>('GET', `/readers/${readerId}`),
    enabled: !!readerId,
  });
  // Their conversations on every channel, most recent activity first (the API keeps to the agent's departments).
  const history = useQuery({
    queryKey: ['conversations', 'reader', readerId],
    queryFn: () => api<{ items: Conversation[] }>('GET', `/conversations?readerId=${readerId}&limit=20`),
    enabled: !!readerId,
  });
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' });
  const others = (history.data?.items ?? []).filter((c) => c.id !== current);
  return (
    <aside aria-label={t('conversation.reader')} className="rd-reader">
      <Title order={2} size="h5">
        {t('conversation.reader')}
      </Title>
      {reader.data && (
        <Stack gap={4} mt="xs">
          <Text fw={600}>{reader.data.displayName ?? '—'}</Text>
          {reader.data.cardNumber && !reader.data.handles.some((h) => h.kind === 'card') && (
            <Text size="sm">{t('reader.card', { card: reader.data.cardNumber })}</Text>
          )}
          {reader.data.handles.map((h) => (
            <Group key={h.id} gap={4} wrap="nowrap" justify="space-between">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {t(`handle.${h.kind}`, { defaultValue: h.kind })}: {h.value}
              </Text>
              {me.role !== 'agent' && reader.data.handles.length > 1 && (
                <Button
                  variant="subtle"
                  size="compact-xs"
                  aria-label={t('reader.unlink', { handle: h.value })}
                  onClick={() => void change('POST', `/reader-handles/${h.id}/unlink`)}
                >
                  {t('reader.unlinkShort')}
                </Button>
              )}
            </Group>
          ))}
        </Stack>
      )}
      <Text size="sm" c="dimmed" mt="md">
        {t('conversation.ils')}
      </Text>
      <Title order={3} size="h6" mt="md">
        {t('reader.history')}
      </Title>
      {history.isSuccess && others.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('reader.noHistory')}
        </Text>
      )}
      <Stack gap={6} mt={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {others.map((c) => (
          <li key={c.id}>
            <Anchor component="button" type="button" size="sm" onClick={() => onOpen(c.id)} ta="start">
              #{c.number} {c.subject ?? t('conversation.noSubject')}
            </Anchor>
            <Group gap={4}>
              <Badge size="xs" variant="outline">
                {t(`channel.${c.channel}`)}
              </Badge>
              <Badge size="xs" color="gray.7">
                {t(`status.${c.status}`)}
              </Badge>
              <Text size="xs" c="dimmed">
                {day.format(new Date(c.lastMessageAt ?? c.createdAt))}
              </Text>
            </Group>
          </li>
        ))}
      </Stack>
    </aside>
  );
}
