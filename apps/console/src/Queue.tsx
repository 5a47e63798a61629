import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Popover,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { CHANNELS } from '@readerdesk/contracts';
import { api, type Agent, type Conversation, type Department } from './api';
import { typingIn, useNow } from './util';

type View = 'departments' | 'mine' | 'unassigned' | 'all';
type Sort = 'due' | 'waiting' | 'newest' | 'activity';
const SORTS: Sort[] = ['due', 'waiting', 'newest', 'activity'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const STATUSES = ['new', 'open', 'pending', 'snoozed', 'resolved', 'closed'];
const OPEN = 'new,open,pending';
/** One page of the queue; the list reads the next one as the agent scrolls towards its end. */
const PAGE = 100;
const ROW_HEIGHT = 72;

interface Filters {
  channel: string | null;
  priority: string | null;
  departmentId: string | null;
  status: string | null;
  tag: string;
}
const NO_FILTERS: Filters = { channel: null, priority: null, departmentId: null, status: null, tag: '' };

const dueOf = (c: Conversation): string | null =>
  c.sla?.firstResponseDueAt ?? c.sla?.nextResponseDueAt ?? c.sla?.resolutionDueAt ?? null;

const storedSort = (): Sort => {
  const value = localStorage.getItem('rd.queue.sort') as Sort | null;
  return value && SORTS.includes(value) ? value : 'due';
};

/** The list query a view, order, filters and search make (the API does the filtering and the paging). */
function queryOf(view: View, sort: Sort, filters: Filters, q: string, me: Agent): URLSearchParams {
  const params = new URLSearchParams({ limit: String(PAGE), sort });
  if (view !== 'all') params.set('status', OPEN);
  else if (filters.status) params.set('status', filters.status);
  if (view === 'mine') params.set('assigneeId', me.id);
  if (view === 'unassigned') params.set('assigneeId', 'none');
  if (filters.channel) params.set('channel', filters.channel);
  if (filters.priority) params.set('priority', filters.priority);
  if (filters.departmentId) params.set('departmentId', filters.departmentId);
  if (filters.tag.trim()) params.set('tag', filters.tag.trim());
  if (q.trim()) params.set('q', q.trim());
  return params;
}

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
  const supervisor = me.role !== 'agent';
  const [view, setView] = useState<View>('departments');
  const [sort, setSortState] = useState<Sort>(storedSort);
  const setSort = (value: Sort) => (localStorage.setItem('rd.queue.sort', value), setSortState(value));
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  // Search as the agent types, a moment after the last key (one request, not one per letter).
  useEffect(() => {
    const timer = setTimeout(() => setQ(search), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const params = queryOf(view, sort, filters, q, me).toString();
  const list = useInfiniteQuery({
    queryKey: ['conversations', 'list', params],
    queryFn: ({ pageParam }) =>
      api<{ items: Conversation[]; nextCursor: string | null }>(
        'GET',
        `/conversations?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const counts = useQuery({
    queryKey: ['conversations', 'counts'],
    queryFn: () =>
      api<{ mine: number; unassigned: number; departments: number; all: number }>('GET', '/conversations/counts'),
  });
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => api<Department[]>('GET', '/departments'),
    staleTime: 5 * 60_000,
  });
  // A live refetch can hand back a row twice across two pages (it moved while the pages were read): once is enough.
  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((p) => p.items).filter((c) => !seen.has(c.id) && !!seen.add(c.id));
  }, [list.data]);
  const now = useNow(15_000);
  const relative = new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' });
  const number = new Intl.NumberFormat(i18n.language);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  const items = virtual.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (lastShown >= rows.length - 20 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [lastShown, rows.length, list]);
  const at = rows.findIndex((r) => r.id === selected);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'j' || event.key === 'k') {
        const index = Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
        const next = rows[index];
        if (!next) return;
        onSelect(next.id);
        virtual.scrollToIndex(index, { align: 'auto' });
        // The row may only be drawn after the scroll: focus it once it is there.
        requestAnimationFrame(() =>
          scroller.current?.querySelector<HTMLElement>(`[data-id="${next.id}"]`)?.focus({ preventScroll: true }),
        );
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, at, onSelect, virtual]);
  const views: View[] = supervisor
    ? ['departments', 'mine', 'unassigned', 'all']
    : ['departments', 'mine', 'unassigned'];
  const filtering = Object.entries(filters).filter(([, v]) => v).length;
  const total = counts.data?.[view];
  return (
    <nav aria-label={t('queue.title')} className="rd-queue">
      <Stack p="sm" gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h5">
            {t('queue.title')}
          </Title>
          <Text size="sm" c="dimmed" data-testid="queue-count" aria-live="polite">
            {t('queue.count', { count: total ?? rows.length, formatted: number.format(total ?? rows.length) })}
          </Text>
        </Group>
        <SegmentedControl
          aria-label={t('queue.view')}
          value={view}
          onChange={(v) => setView(v)}
          data={views.map((v) => ({
            value: v,
            label: counts.data ? `${t(`queue.view.${v}`)} ${number.format(counts.data[v])}` : t(`queue.view.${v}`),
          }))}
          size="xs"
          fullWidth
        />
        <Group gap="xs" wrap="nowrap">
          <TextInput
            aria-label={t('queue.search')}
            placeholder={t('queue.search')}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Escape' && (setSearch(''), e.currentTarget.blur())}
            size="xs"
            type="search"
            style={{ flex: 1 }}
          />
          <Select
            aria-label={t('queue.sort')}
            data={SORTS.map((s) => ({ value: s, label: t(`queue.sort.${s}`) }))}
            value={sort}
            onChange={(v) => v && setSort(v)}
            allowDeselect={false}
            size="xs"
            w={130}
            data-testid="queue-sort"
          />
          <Popover position="bottom-end" shadow="md" trapFocus>
            <Popover.Target>
              <Button variant={filtering ? 'light' : 'default'} size="xs" px="xs">
                {filtering ? `${t('queue.filters')} · ${number.format(filtering)}` : t('queue.filters')}
              </Button>
            </Popover.Target>
            <Popover.Dropdown>
              <Stack gap="xs" w={220}>
                <Select
                  label={t('queue.filter.channel')}
                  data={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
                  value={filters.channel}
                  onChange={(channel) => setFilters({ ...filters, channel })}
                  clearable
                  size="xs"
                  comboboxProps={{ withinPortal: false }}
                />
                <Select
                  label={t('queue.filter.priority')}
                  data={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
                  value={filters.priority}
                  onChange={(priority) => setFilters({ ...filters, priority })}
                  clearable
                  size="xs"
                  comboboxProps={{ withinPortal: false }}
                />
                <Select
                  label={t('queue.filter.department')}
                  data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
                  value={filters.departmentId}
                  onChange={(departmentId) => setFilters({ ...filters, departmentId })}
                  clearable
                  size="xs"
                  comboboxProps={{ withinPortal: false }}
                />
                {view === 'all' && (
                  <Select
                    label={t('queue.filter.status')}
                    data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                    value={filters.status}
                    onChange={(status) => setFilters({ ...filters, status })}
                    clearable
                    size="xs"
                    comboboxProps={{ withinPortal: false }}
                  />
                )}
                <TextInput
                  label={t('queue.filter.tag')}
                  value={filters.tag}
                  onChange={(e) => setFilters({ ...filters, tag: e.currentTarget.value })}
                  size="xs"
                />
                <Button variant="subtle" size="xs" onClick={() => setFilters(NO_FILTERS)} disabled={filtering === 0}>
                  {t('queue.filter.clear')}
                </Button>
              </Stack>
            </Popover.Dropdown>
          </Popover>
        </Group>
      </Stack>
      {list.isError && (
        <Alert color="red" role="alert" m="sm">
          {list.error.message}
        </Alert>
      )}
      {rows.length === 0 && list.isSuccess && (
        <Text p="md" c="dimmed">
          {t(q || filtering ? 'queue.noMatch' : 'queue.empty')}
        </Text>
      )}
      <div ref={scroller} className="rd-queue-rows" data-testid="queue-scroller">
        <ul
          style={{ listStyle: 'none', margin: 0, padding: 0, height: virtual.getTotalSize(), position: 'relative' }}
          data-testid="queue"
          aria-busy={list.isFetching}
        >
          {items.map((item) => {
            const c = rows[item.index];
            const due = dueOf(c);
            const left = due ? Date.parse(due) - now : null;
            return (
              <li
                key={c.id}
                data-index={item.index}
                ref={virtual.measureElement}
                style={{
                  position: 'absolute',
                  top: 0,
                  insetInlineStart: 0,
                  width: '100%',
                  transform: `translateY(${item.start}px)`,
                }}
              >
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
                      #{c.number} <bdi>{c.subject ?? t('conversation.noSubject')}</bdi>
                    </Text>
                    <Badge size="sm" variant="outline">
                      {t(`channel.${c.channel}`)}
                    </Badge>
                  </Group>
                  <Group gap="xs" mt={4}>
                    <Badge size="xs" color="gray.7">
                      {t(`status.${c.status}`)}
                    </Badge>
                    {c.priority !== 'normal' && (
                      <Badge
                        size="xs"
                        color={c.priority === 'low' ? 'gray.7' : 'red.9'}
                        variant={c.priority === 'urgent' ? 'filled' : 'outline'}
                      >
                        {t(`priority.${c.priority}`)}
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
      </div>
    </nav>
  );
}
