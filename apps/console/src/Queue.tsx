import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Group, ScrollArea, SegmentedControl, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Agent, type Conversation } from './api';
import { typingIn, useNow } from './util';

type View = 'mine' | 'unassigned' | 'open' | 'all';
const OPEN = new Set(['new', 'open', 'pending']);

const dueOf = (c: Conversation): string | null =>
  c.sla?.firstResponseDueAt ?? c.sla?.nextResponseDueAt ?? c.sla?.resolutionDueAt ?? null;
export function Queue({
  me,
  selected,
  onSelect,
}: {
  me: Agent;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [view, setView] = useState<View>('open');
  const list = useQuery({
    queryKey: ['conversations'],
    queryFn: () => api<{ items: Conversation[] }>('GET', '/conversations?limit=100'),
  });
  const now = useNow(15_000);
  const rows = useMemo(() => {
    const items = (list.data?.items ?? []).filter((c) => {
      if (view === 'all') return true;
      if (!OPEN.has(c.status)) return false;
      if (view === 'mine') return c.assigneeId === me.id;
      if (view === 'unassigned') return c.assigneeId === null;
      return true;
    });
    const key = (c: Conversation) => Date.parse(dueOf(c) ?? c.waitingSince ?? c.createdAt);
    return items.sort((a, b) => key(a) - key(b));
  }, [list.data, view, me.id]);
  const relative = new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' });
  const listRef = useRef<HTMLUListElement>(null);
  const at = rows.findIndex((r) => r.id === selected);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event)) return;
      if (event.key === 'j' || event.key === 'k') {
        const next = rows[Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)))];
        if (next) {
          onSelect(next.id);
          listRef.current?.querySelector<HTMLElement>(`[data-id="${next.id}"]`)?.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, at, onSelect]);
  return (
    <nav aria-label={t('queue.title')} style={{ width: 380, borderInlineEnd: '1px solid var(--mantine-color-gray-3)' }}>
      <Stack p="sm" gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h5">
            {t('queue.title')}
          </Title>
          <Text size="sm" c="dimmed" data-testid="queue-count">
            {t('queue.count', { count: rows.length })}
          </Text>
        </Group>
        <SegmentedControl
          aria-label={t('queue.view')}
          value={view}
          onChange={(v) => setView(v as View)}
          data={(['open', 'mine', 'unassigned', 'all'] as const).map((v) => ({
            value: v,
            label: t(`queue.view.${v}`),
          }))}
          size="xs"
        />
      </Stack>
      <ScrollArea h="calc(100vh - 160px)">
        {list.isError && <Alert color="red">{(list.error as Error).message}</Alert>}
        {rows.length === 0 && list.isSuccess && (
          <Text p="md" c="dimmed">
            {t('queue.empty')}
          </Text>
        )}
        <ul ref={listRef} style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="queue">
          {rows.map((c) => {
            const due = dueOf(c);
            const left = due ? Date.parse(due) - now : null;
            return (
              <li key={c.id}>
                <UnstyledButton
                  data-id={c.id}
                  onClick={() => onSelect(c.id)}
                  aria-current={c.id === selected ? 'true' : undefined}
                  w="100%"
                  p="sm"
                  style={{
                    borderBottom: '1px solid var(--mantine-color-gray-2)',
                    background: c.id === selected ? 'var(--mantine-color-blue-0)' : undefined,
                  }}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <Text size="sm" fw={600} truncate>
                      #{c.number} {c.subject ?? t('conversation.noSubject')}
                    </Text>
                    <Badge size="sm" variant="outline">
                      {c.channel}
                    </Badge>
                  </Group>
                  <Group gap="xs" mt={4}>
                    <Badge size="xs" color="gray.7">
                      {c.status}
                    </Badge>
                    {c.priority !== 'normal' && (
                      <Badge size="xs" color="orange.9">
                        {c.priority}
                      </Badge>
                    )}
                    {left !== null && (
                      <Badge size="xs" color={left < 0 ? 'red.9' : 'blue.8'}>
                        {t(left < 0 ? 'queue.overdue' : 'queue.dueIn', {
                          when: relative.format(Math.round(left / 60_000), 'minute'),
                        })}
                      </Badge>
                    )}
                  </Group>
                </UnstyledButton>
              </li>
            );
          })}
        </ul>
      </ScrollArea>
    </nav>
  );
}
