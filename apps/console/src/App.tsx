import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  Alert,
  AppShell,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  PasswordInput,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
  UnstyledButton,
  useDirection,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { OfferCreatedEvent } from '@readerdesk/contracts';
import { api, ApiError, whenSignedOut, type Agent, type Conversation, type Message, type Reader } from './api';
import { applyLanguage, isRtl, LANGUAGES } from './i18n';
import { connectLive, type LiveSocket } from './live';

export function App() {
  const queries = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () =>
      api<Agent>('GET', '/auth/me').catch((e: unknown) =>
        e instanceof ApiError && e.status === 401 ? null : Promise.reject(e),
      ),
  });
  useEffect(() => whenSignedOut(() => queries.setQueryData(['me'], null)), [queries]);
  if (me.isPending) return null;
  if (me.isError)
    return (
      <Alert color="red" m="xl">
        {(me.error as Error).message}
      </Alert>
    );
  return me.data ? <Desk me={me.data} /> : <SignIn />;
}

function SignIn() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      const answer = await api<{ agent: Agent }>('POST', '/auth/login', {
        email: form.get('email'),
        password: form.get('password'),
        session: 'cookie',
      });
      queries.setQueryData(['me'], answer.agent);
    } catch (e) {
      setError(e instanceof Error ? e.message : t('signin.failed'));
    }
  };
  return (
    <main>
      <Paper maw={380} mx="auto" mt={80} p="xl" withBorder>
        <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
          <Stack>
            <Title order={1} size="h3" id="signin-title">
              {t('signin.title')}
            </Title>
            {error && (
              <Alert color="red" role="alert" title={t('signin.failed')}>
                {error}
              </Alert>
            )}
            <TextInput name="email" type="email" label={t('signin.email')} autoComplete="username" required />
            <PasswordInput name="password" label={t('signin.password')} autoComplete="current-password" required />
            <Button type="submit">{t('signin.submit')}</Button>
            <LanguagePicker />
          </Stack>
        </form>
      </Paper>
    </main>
  );
}

function LanguagePicker() {
  const { t, i18n } = useTranslation();
  const { setDirection } = useDirection();
  return (
    <Select
      label={t('shell.language')}
      data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))}
      value={i18n.language}
      allowDeselect={false}
      onChange={(value) => {
        if (!value) return;
        applyLanguage(value);
        setDirection(isRtl(value) ? 'rtl' : 'ltr');
      }}
      w={160}
    />
  );
}

/** A shortcut key typed into a field is text, not a shortcut. */
const typingIn = (event: KeyboardEvent): boolean =>
  !!(event.target as HTMLElement).closest('input, textarea, select, [contenteditable]');

type View = 'mine' | 'unassigned' | 'open' | 'all';
const OPEN = new Set(['new', 'open', 'pending']);

function Desk({ me }: { me: Agent }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [offers, setOffers] = useState<OfferCreatedEvent[]>([]);
  const socket = useRef<LiveSocket | null>(null);
  useEffect(() => {
    const live = connectLive(queries, setConnected);
    live.on('offer.created', (offer) => setOffers((all) => [...all.filter((o) => o.offerId !== offer.offerId), offer]));
    const drop = (e: { offerId: string }) => setOffers((all) => all.filter((o) => o.offerId !== e.offerId));
    live.on('offer.ended', drop);
    live.on('offer.accepted', (e) => (drop(e), setSelected(e.conversationId)));
    socket.current = live;
    return () => void live.close();
  }, [queries]);
  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    queries.setQueryData(['me'], null);
  };
  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Title order={1} size="h4">
              {t('app.name')}
            </Title>
            <Badge color={connected ? 'teal.9' : 'gray.7'} role="status">
              {connected ? t('shell.live') : t('shell.offline')}
            </Badge>
          </Group>
          <Group>
            <Presence />
            <Text size="sm">{me.displayName}</Text>
            <Button variant="subtle" onClick={() => void signOut()}>
              {t('shell.signout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Group align="stretch" gap={0} wrap="nowrap" h="calc(100vh - 56px)">
          <Queue me={me} selected={selected} onSelect={setSelected} />
          <main style={{ flex: 1, minWidth: 0 }}>
            {offers.map((offer) => (
              <OfferCard key={offer.offerId} offer={offer} socket={socket.current} />
            ))}
            {selected ? <ConversationPane id={selected} /> : <Text p="xl">{t('conversation.pick')}</Text>}
          </main>
        </Group>
      </AppShell.Main>
    </AppShell>
  );
}

function Presence() {
  const { t } = useTranslation();
  // Unknown until the agent picks one (the API has no read of one's own presence yet): no pretended state.
  const [presence, setPresence] = useState<string | null>(null);
  const change = async (value: string | null) => {
    if (!value) return;
    const answer = await api<{ presence: string }>('PUT', '/agents/me/presence', { presence: value });
    setPresence(answer.presence);
  };
  return (
    <Select
      aria-label={t('shell.presence')}
      data={['available', 'busy', 'away', 'offline'].map((p) => ({ value: p, label: t(`presence.${p}`) }))}
      value={presence}
      placeholder={t('shell.presence')}
      allowDeselect={false}
      onChange={(v) => void change(v)}
      w={150}
    />
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const dueOf = (c: Conversation): string | null =>
  c.sla?.firstResponseDueAt ?? c.sla?.nextResponseDueAt ?? c.sla?.resolutionDueAt ?? null;

function Queue({ me, selected, onSelect }: { me: Agent; selected: string | null; onSelect: (id: string) => void }) {
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

/** An email's HTML, inert: no script, no network (the CSP inside the sandboxed frame), sized to its content. */
function InertHtml({ html, title }: { html: string; title: string }) {
  const doc =
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<base target="_blank">${html}`;
  return <iframe title={title} sandbox="" srcDoc={doc} style={{ width: '100%', border: 0, minHeight: 120 }} />;
}

function ConversationPane({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const conversation = useQuery({
    queryKey: ['conversation', id],
    queryFn: () => api<Conversation>('GET', `/conversations/${id}`),
  });
  const timeline = useQuery({
    queryKey: ['timeline', id],
    queryFn: () => api<Message[]>('GET', `/conversations/${id}/timeline`),
  });
  const readerId = conversation.data?.readerId;
  const reader = useQuery({
    queryKey: ['reader', readerId],
    queryFn: () => api<Reader>('GET', `/readers/${readerId}`),
    enabled: !!readerId,
  });
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [draft, setDraft] = useState(() => localStorage.getItem(`rd.draft.${id}`) ?? '');
  useEffect(() => setDraft(localStorage.getItem(`rd.draft.${id}`) ?? ''), [id]);
  const keep = (text: string) => {
    setDraft(text);
    localStorage.setItem(`rd.draft.${id}`, text);
  };
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ['timeline', id] });
    void queries.invalidateQueries({ queryKey: ['conversation', id] });
    void queries.invalidateQueries({ queryKey: ['conversations'] });
  };
  const send = useMutation({
    mutationFn: () => api('POST', `/conversations/${id}/${mode === 'reply' ? 'replies' : 'notes'}`, { text: draft }),
    onSuccess: () => (keep(''), localStorage.removeItem(`rd.draft.${id}`), refresh()),
  });
  const [closing, setClosing] = useState(false);
  const resolve = useMutation({
    mutationFn: (record: { readLevel: number; questionType: string }) =>
      api('POST', `/conversations/${id}/status`, { status: 'resolved', ...record }),
    onSuccess: () => (setClosing(false), refresh()),
  });
  const composer = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event)) return;
      if (event.key === 'r' || event.key === 'n') {
        event.preventDefault();
        setMode(event.key === 'r' ? 'reply' : 'note');
        composer.current?.focus();
      } else if (event.key === 'e') setClosing(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' });
  const c = conversation.data;
  const failure = conversation.error ?? send.error ?? resolve.error;
  return (
    <Group align="stretch" wrap="nowrap" gap={0} h="100%">
      <Stack p="md" style={{ flex: 1, minWidth: 0 }} gap="sm">
        {failure && (
          <Alert color="red" role="alert">
            {(failure as Error).message}
          </Alert>
        )}
        {c && (
          <Group justify="space-between">
            <Title order={2} size="h4">
              #{c.number} {c.subject ?? t('conversation.noSubject')}
            </Title>
            <Button variant="light" onClick={() => setClosing(true)}>
              {t('conversation.resolve')}
            </Button>
          </Group>
        )}
        <ScrollArea style={{ flex: 1 }}>
          <Stack gap="xs" data-testid="timeline">
            {(timeline.data ?? []).map((m) => (
              <Paper key={m.id} p="sm" withBorder bg={m.kind === 'note' ? 'yellow.0' : undefined} data-kind={m.kind}>
                <Group justify="space-between">
                  <Text size="xs" fw={600}>
                    {t(`message.${m.kind}`)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {time.format(new Date(m.createdAt))}
                  </Text>
                </Group>
                {m.kind === 'event' ? (
                  <Text size="sm" c="dimmed">
                    {String(m.data?.type ?? m.text ?? '')}
                  </Text>
                ) : m.html ? (
                  <InertHtml html={m.html} title={m.subject ?? t(`message.${m.kind}`)} />
                ) : (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {m.text}
                  </Text>
                )}
              </Paper>
            ))}
          </Stack>
        </ScrollArea>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) send.mutate();
          }}
        >
          <Stack gap="xs">
            <SegmentedControl
              value={mode}
              onChange={(v) => setMode(v as 'reply' | 'note')}
              data={[
                { value: 'reply', label: t('conversation.reply') },
                { value: 'note', label: t('conversation.note') },
              ]}
              size="xs"
              w={240}
            />
            <Textarea
              ref={composer}
              aria-label={mode === 'reply' ? t('conversation.reply') : t('conversation.note')}
              value={draft}
              onChange={(e) => keep(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Ctrl/⌘+Enter sends; Escape leaves the composer so that the shortcuts work again.
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && draft.trim()) send.mutate();
                if (e.key === 'Escape') e.currentTarget.blur();
              }}
              autosize
              minRows={3}
            />
            <Group>
              <Button type="submit" loading={send.isPending}>
                {mode === 'reply' ? t('conversation.send') : t('conversation.addNote')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
      <CloseDialog
        opened={closing}
        onClose={() => setClosing(false)}
        onResolve={(record) => resolve.mutate(record)}
        busy={resolve.isPending}
      />
      <aside
        aria-label={t('conversation.reader')}
        style={{ width: 260, padding: 16, borderInlineStart: '1px solid var(--mantine-color-gray-3)' }}
      >
        <Title order={2} size="h5">
          {t('conversation.reader')}
        </Title>
        {reader.data && (
          <Stack gap={4} mt="xs">
            <Text fw={600}>{reader.data.displayName ?? '—'}</Text>
            {reader.data.handles.map((h) => (
              <Text key={h.id} size="sm">
                {h.kind}: {h.value}
              </Text>
            ))}
          </Stack>
        )}
        <Text size="sm" c="dimmed" mt="md">
          {t('conversation.ils')}
        </Text>
      </aside>
    </Group>
  );
}

const QUESTION_TYPES = ['directional', 'ready_reference', 'research', 'technical', 'circulation_account', 'policy'];

/** Resolving records the READ scale level (1–6) and the question type, as reference statistics need. */
function CloseDialog(props: {
  opened: boolean;
  busy: boolean;
  onClose: () => void;
  onResolve: (record: { readLevel: number; questionType: string }) => void;
}) {
  const { t } = useTranslation();
  const [readLevel, setReadLevel] = useState<string | null>('2');
  const [questionType, setQuestionType] = useState<string | null>(null);
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={t('close.title')}
      closeButtonProps={{ 'aria-label': t('close.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (readLevel && questionType) props.onResolve({ readLevel: Number(readLevel), questionType });
        }}
      >
        <Stack>
          <Select
            label={t('close.readLevel')}
            data={['1', '2', '3', '4', '5', '6'].map((v) => ({ value: v, label: t(`close.read.${v}`) }))}
            value={readLevel}
            onChange={setReadLevel}
            allowDeselect={false}
            required
          />
          <Select
            label={t('close.questionType')}
            data={QUESTION_TYPES.map((v) => ({ value: v, label: t(`close.type.${v}`) }))}
            value={questionType}
            onChange={setQuestionType}
            required
          />
          <Button type="submit" loading={props.busy} disabled={!readLevel || !questionType}>
            {t('conversation.resolve')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function OfferCard({ offer, socket }: { offer: OfferCreatedEvent; socket: LiveSocket | null }) {
  const { t } = useTranslation();
  const [received] = useState(() => Date.now());
  const now = useNow(1000);
  const [error, setError] = useState<string | null>(null);
  const left = offer.timeoutMs === null ? null : Math.max(0, Math.ceil((offer.timeoutMs - (now - received)) / 1000));
  const answer = (event: 'offer.accept' | 'offer.reject') =>
    socket?.emit(event, { offerId: offer.offerId }, (reply) => {
      if (!reply.ok) setError(t('offer.ended', { reason: reply.error ?? '' }));
    });
  return (
    <Paper role="alertdialog" aria-label={t('offer.title')} m="md" p="md" withBorder shadow="md" data-testid="offer">
      <Group justify="space-between">
        <div>
          <Text fw={700}>{t('offer.title')}</Text>
          <Text size="sm">
            #{offer.conversation.number} {offer.conversation.subject ?? ''} · {offer.reader.displayName ?? ''} ·{' '}
            {offer.channel}
          </Text>
          {left !== null && <Text size="sm">{t('offer.left', { seconds: left })}</Text>}
          {error && <Text c="red">{error}</Text>}
        </div>
        <Group>
          <Button onClick={() => answer('offer.accept')}>{t('offer.accept')}</Button>
          <Button variant="default" onClick={() => answer('offer.reject')}>
            {t('offer.reject')}
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
