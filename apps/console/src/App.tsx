import { lazy, Suspense, useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  Alert,
  Loader,
  Anchor,
  AppShell,
  Badge,
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  useDirection,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { PRESENCES, type OfferCreatedEvent } from '@readerdesk/contracts';
import { api, ApiError, whenSignedOut, type Agent } from './api';
import i18next, { applyLanguage, isRtl, LANGUAGES } from './i18n';
import { connectLive, LiveContext, type LiveSocket } from './live';
import { Queue } from './Queue';
import { ConversationPane } from './Conversation';
import { OfferCard } from './Offer';
import { attention } from './alerts';
import { Mentions } from './Mentions';
import { Palette, setPresence, Shortcuts } from './Palette';
// The board and the administration screens load when first opened: agents never download them.
const Board = lazy(() => import('./Board').then((m) => ({ default: m.Board })));
const Admin = lazy(() => import('./Admin').then((m) => ({ default: m.Admin })));
import { useHashRoute } from './util';

export function App() {
  const queries = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () =>
      api<Agent>('GET', '/auth/me').catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }),
  });
  useEffect(() => whenSignedOut(() => queries.setQueryData(['me'], null)), [queries]);
  if (me.isPending) return null;
  if (me.isError)
    return (
      <Alert color="red" m="xl">
        {me.error.message}
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

function Desk({ me }: { me: Agent }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [offers, setOffers] = useState<OfferCreatedEvent[]>([]);
  const [socket, setSocket] = useState<LiveSocket | null>(null);
  const [ended, setEnded] = useState<{ number: number; reason: string } | null>(null);
  const route = useHashRoute();
  // The open conversation is in the address (#/c/<id>): a link, a reload or Back brings it again; one the
  // agent may not see answers 404, and the pane says so in the server's words.
  const selected = /^\/c\/([0-9a-f-]{36})$/i.exec(route)?.[1] ?? null;
  const setSelected = useCallback((id: string | null) => {
    window.location.hash = id ? `#/c/${id}` : '#/';
  }, []);
  // Agents have no board (the API refuses them its figures): #/board shows them the queue.
  const supervises = me.role === 'supervisor' || me.role === 'administrator';
  const onBoard = supervises && route === '/board';
  // Administration: administrators manage everything there, supervisors their departments' canned replies
  // (Admin shows each role its own tabs); #/admin shows an agent the queue.
  const onAdmin = supervises && (route === '/admin' || route.startsWith('/admin/'));
  useEffect(() => {
    const live = connectLive(queries, setConnected);
    // The socket lives across language changes, so its handlers translate with i18next in the language of the
    // moment (useTranslation's t is fixed to the language it was made in, and a new one would reconnect).
    live.on('offer.created', (offer) => {
      setOffers((all) => [...all.filter((o) => o.offerId !== offer.offerId), offer]);
      attention(i18next.t('offer.title'), `#${offer.conversation.number} ${offer.conversation.subject ?? ''}`);
    });
    const drop = (e: { offerId: string }) => setOffers((all) => all.filter((o) => o.offerId !== e.offerId));
    live.on('offer.ended', (e) => {
      // What became of an offer that rang here is said, not just gone (timed out: it goes to the next agent).
      setOffers((all) => {
        const ended = all.find((o) => o.offerId === e.offerId);
        if (ended) setEnded({ number: ended.conversation.number, reason: e.reason });
        return all.filter((o) => o.offerId !== e.offerId);
      });
    });
    live.on('mention.created', (m) =>
      attention(i18next.t('mentions.new', { name: m.byName ?? i18next.t('people.colleague') }), m.excerpt, () =>
        setSelected(m.conversationId),
      ),
    );
    live.on('offer.accepted', (e) => {
      drop(e);
      // The accepted conversation opens in the queue screen, wherever the offer was answered.
      setSelected(e.conversationId);
    });
    setSocket(live);
    return () => void live.close();
  }, [queries, setSelected]);
  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    queries.setQueryData(['me'], null);
  };
  /** Opens a conversation from anywhere (a mention, a notification): on the queue screen. */
  const open = setSelected;
  const offerCards = (
    <>
      {ended && (
        <Alert m="md" color="gray" role="status" withCloseButton onClose={() => setEnded(null)}>
          {t(`offer.endedBecause.${ended.reason}`, { number: ended.number, defaultValue: t('offer.endedOther') })}
        </Alert>
      )}
      {offers.map((offer) => (
        <OfferCard key={offer.offerId} offer={offer} socket={socket} />
      ))}
    </>
  );
  return (
    <LiveContext.Provider value={socket}>
      <AppShell header={{ height: { base: 112, sm: 56 } }} padding={0}>
        <AppShell.Header>
          <Group h="100%" px="md" py={4} justify="space-between" gap={4}>
            <Group>
              <Title order={1} size="h4">
                {t('app.name')}
              </Title>
              <Badge color={connected ? 'teal.9' : 'gray.7'} role="status">
                {connected ? t('shell.live') : t('shell.offline')}
              </Badge>
              {supervises && (
                <nav aria-label={t('board.nav.label')}>
                  <Group gap="md">
                    {(
                      [
                        ['#/', 'board.nav.queue', !onBoard && !onAdmin],
                        ['#/board', 'board.nav.board', onBoard],
                        ['#/admin', 'admin.nav', onAdmin],
                      ] as const
                    ).map(([href, label, current]) => (
                      <Anchor
                        key={href}
                        href={href}
                        aria-current={current ? 'page' : undefined}
                        fw={current ? 700 : 400}
                      >
                        {t(label)}
                      </Anchor>
                    ))}
                  </Group>
                </nav>
              )}
            </Group>
            <Group wrap="nowrap" gap="xs">
              <Palette me={me} onOpen={open} />
              <Shortcuts />
              <Mentions onOpen={open} />
              <Presence initial={me.presence} />
              <Text size="sm" className="rd-hide-narrow">
                {me.displayName}
              </Text>
              <Button variant="subtle" px="xs" onClick={() => void signOut()}>
                {t('shell.signout')}
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Main>
          {onAdmin ? (
            <div className="rd-screen">
              {offerCards}
              <Suspense fallback={<Loader m="xl" aria-label={t('shell.loading')} />}>
                <Admin me={me} />
              </Suspense>
            </div>
          ) : onBoard ? (
            <div className="rd-screen">
              {offerCards}
              <Suspense fallback={<Loader m="xl" aria-label={t('shell.loading')} />}>
                <Board />
              </Suspense>
            </div>
          ) : (
            <div className="rd-desk" data-open={selected ? 'true' : 'false'}>
              <Queue me={me} selected={selected} onSelect={setSelected} />
              <main className="rd-main">
                {offerCards}
                {selected && (
                  <Button className="rd-back" variant="subtle" size="xs" m="xs" onClick={() => setSelected(null)}>
                    {t('queue.back')}
                  </Button>
                )}
                {selected ? (
                  <ConversationPane id={selected} me={me} onOpen={setSelected} />
                ) : (
                  <Text p="xl">{t('conversation.pick')}</Text>
                )}
              </main>
            </div>
          )}
        </AppShell.Main>
      </AppShell>
    </LiveContext.Provider>
  );
}

function Presence({ initial }: { initial: string }) {
  const { t } = useTranslation();
  // Shared with the command palette, which can change it too.
  const presence = useQuery({
    queryKey: ['presence'],
    queryFn: () => api<Agent>('GET', '/auth/me').then((m) => m.presence as string),
    initialData: initial,
  });
  const [error, setError] = useState<string | null>(null);
  const queries = useQueryClient();
  const change = async (value: string | null) => {
    if (!value) return;
    try {
      await setPresence(queries, value);
      setError(null);
    } catch (e) {
      // The switch keeps showing what the desk has; the reason is said beside it.
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Select
      aria-label={t('shell.presence')}
      data={PRESENCES.map((p) => ({ value: p, label: t(`presence.${p}`) }))}
      value={presence.data}
      placeholder={t('shell.presence')}
      allowDeselect={false}
      onChange={(v) => void change(v)}
      error={error ?? undefined}
      w={{ base: 120, sm: 150 }}
    />
  );
}
