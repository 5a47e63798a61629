// The reader beside the conversation: who they are on every channel, every conversation of theirs the
// agent may see, and the slot where the library system's summary will appear (it says so until then).
// Supervisors and administrators also put identities right here: merge another reader into this one
// (found by a handle of theirs, as the API offers no reader search), or unlink a handle joined by mistake.
import { useEffect, useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Agent, type Conversation, type Reader } from './api';

type Handle = Reader['handles'][number];

const HANDLE_KINDS = ['email', 'phone', 'card', 'chat'];

/**
 * After a merge or an unlink: the readers, the queue and every conversation read again. A merge moves
 * the other reader's conversations just after it commits (the desk reacts to the merge), so the lists
 * are read once more a moment later, lest the first read come before the move.
 */
function reread(queries: QueryClient, again = false): void {
  const lists = () => void queries.invalidateQueries({ queryKey: ['conversations'] });
  void queries.invalidateQueries({ queryKey: ['reader'] });
  void queries.invalidateQueries({ queryKey: ['conversation'] });
  lists();
  if (again) setTimeout(lists, 1000);
}

export function ReaderPanel({
  readerId,
  current,
  me,
  onOpen,
}: {
  readerId: string | undefined;
  current: string;
  me: Agent;
  onOpen: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const supervises = me.role === 'supervisor' || me.role === 'administrator';
  const [unlinking, setUnlinking] = useState<Handle | null>(null);
  const [merging, setMerging] = useState(false);
  useEffect(() => {
    setUnlinking(null);
    setMerging(false);
  }, [readerId]);
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
                {t(`handle.${h.kind}`, { defaultValue: h.kind })}: <bdi>{h.value}</bdi>
              </Text>
              {supervises && reader.data.handles.length > 1 && (
                <Button
                  variant="subtle"
                  size="compact-xs"
                  aria-label={t('reader.unlink', { handle: h.value })}
                  onClick={() => setUnlinking(h)}
                >
                  {t('reader.unlinkShort')}
                </Button>
              )}
            </Group>
          ))}
          {supervises && (
            <Button variant="default" size="compact-xs" mt={4} onClick={() => setMerging(true)} w="fit-content">
              {t('reader.merge.open')}
            </Button>
          )}
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
              #{c.number} <bdi>{c.subject ?? t('conversation.noSubject')}</bdi>
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
      {supervises && reader.data && (
        <>
          <UnlinkDialog
            reader={reader.data}
            handle={unlinking}
            onClose={() => setUnlinking(null)}
            onDone={() => (setUnlinking(null), reread(queries))}
          />
          <MergeDialog
            opened={merging}
            reader={reader.data}
            onClose={() => setMerging(false)}
            onDone={(merged) => {
              queries.setQueryData(['reader', merged.id], merged);
              setMerging(false);
              reread(queries, true);
            }}
          />
        </>
      )}
    </aside>
  );
}

/** How many of a reader's conversations the caller may see ("100+" past one page). */
function useConversationCount(readerId: string | undefined) {
  const { i18n } = useTranslation();
  const page = useQuery({
    queryKey: ['conversations', 'reader', readerId, 'count'],
    queryFn: () =>
      api<{ items: Conversation[]; nextCursor: string | null }>('GET', `/conversations?readerId=${readerId}&limit=100`),
    enabled: !!readerId,
  });
  if (!page.data) return null;
  const count = page.data.items.length;
  const formatted = new Intl.NumberFormat(i18n.language).format(count);
  return { count, formatted: page.data.nextCursor ? `${formatted}+` : formatted };
}

/** One reader as the merge dialog compares them: name, handles, how many conversations. */
function ReaderCard({ title, reader }: { title: string; reader: Reader }) {
  const { t } = useTranslation();
  const conversations = useConversationCount(reader.id);
  return (
    <Paper withBorder p="sm" component="section" aria-label={title}>
      <Title order={3} size="h6">
        {title}
      </Title>
      <Text fw={600} mt={4}>
        {reader.displayName ?? '—'}
      </Text>
      <Stack gap={2} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {reader.handles.map((h) => (
          <Text key={h.id} size="sm" component="li" style={{ overflowWrap: 'anywhere' }}>
            {t(`handle.${h.kind}`, { defaultValue: h.kind })}: <bdi>{h.value}</bdi>
          </Text>
        ))}
      </Stack>
      <Text size="sm" c="dimmed" mt={4}>
        {conversations ? t('reader.merge.conversations', conversations) : '…'}
      </Text>
    </Paper>
  );
}

/**
 * Merge another reader into this one: find them by a handle (POST /readers/resolve, which makes a
 * reader when nobody has the handle yet, and says so), compare the two side by side, confirm.
 */
function MergeDialog(props: {
  opened: boolean;
  reader: Reader;
  onClose: () => void;
  onDone: (merged: Reader) => void;
}) {
  const { t } = useTranslation();
  // The body is mounted only while the dialog is open: each opening starts afresh.
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={t('reader.merge.title')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('close.cancel') }}
    >
      <MergeBody reader={props.reader} onClose={props.onClose} onDone={props.onDone} />
    </Modal>
  );
}

function MergeBody(props: { reader: Reader; onClose: () => void; onDone: (merged: Reader) => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string | null>('email');
  const [value, setValue] = useState('');
  const find = useMutation({
    mutationFn: () =>
      api<{ reader: Reader; created: boolean }>('POST', '/readers/resolve', {
        handles: [{ kind, value: value.trim() }],
      }),
  });
  const merge = useMutation({
    mutationFn: (sourceReaderId: string) =>
      api<Reader>('POST', `/readers/${props.reader.id}/merge`, { sourceReaderId }),
    onSuccess: props.onDone,
  });
  const other = find.data?.reader;
  const same = other?.id === props.reader.id;
  const failure = find.error ?? merge.error;
  return (
    <Stack>
      <Text size="sm">{t('reader.merge.hint')}</Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!kind || !value.trim()) return;
          merge.reset();
          find.mutate();
        }}
      >
        <Group align="flex-end" gap="xs" wrap="wrap">
          <Select
            label={t('reader.merge.kind')}
            data={HANDLE_KINDS.map((k) => ({ value: k, label: t(`handle.${k}`) }))}
            value={kind}
            onChange={setKind}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
            w={130}
          />
          <TextInput
            label={t('reader.merge.value')}
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            required
            data-autofocus
            style={{ flex: 1, minWidth: 180 }}
          />
          <Button type="submit" variant="default" loading={find.isPending} disabled={!kind || !value.trim()}>
            {t('reader.merge.find')}
          </Button>
        </Group>
      </form>
      {failure && (
        <Alert color="red" role="alert">
          {failure.message}
        </Alert>
      )}
      {other && same && (
        <Alert color="yellow" role="status">
          {t('reader.merge.same')}
        </Alert>
      )}
      {other && !same && (
        <>
          {find.data?.created && (
            <Alert color="yellow" role="status">
              {t('reader.merge.created')}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <ReaderCard title={t('reader.merge.kept')} reader={props.reader} />
            <ReaderCard title={t('reader.merge.absorbed')} reader={other} />
          </SimpleGrid>
          <Text size="sm">{t('reader.merge.explain')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('close.cancel')}
            </Button>
            <Button color="red" loading={merge.isPending} onClick={() => merge.mutate(other.id)}>
              {t('reader.merge.confirm')}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}

/** Unlinking a handle, confirmed: it becomes a reader of its own; the conversations stay where they are. */
function UnlinkDialog(props: { reader: Reader; handle: Handle | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const handle = props.handle;
  return (
    <Modal
      opened={!!handle}
      onClose={props.onClose}
      title={handle ? t('reader.unlink.title', { handle: handle.value }) : ''}
      closeButtonProps={{ 'aria-label': t('close.cancel') }}
    >
      {handle && (
        <UnlinkBody
          key={handle.id}
          reader={props.reader}
          handle={handle}
          onClose={props.onClose}
          onDone={props.onDone}
        />
      )}
    </Modal>
  );
}

function UnlinkBody(props: { reader: Reader; handle: Handle; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const unlink = useMutation({
    mutationFn: () => api<Reader>('POST', `/reader-handles/${props.handle.id}/unlink`),
    onSuccess: props.onDone,
  });
  return (
    <Stack>
      <Text size="sm">{t('reader.unlink.explain', { handle: props.handle.value })}</Text>
      <Text size="sm">{t('reader.unlink.conversations', { name: props.reader.displayName ?? '—' })}</Text>
      {unlink.error && (
        <Alert color="red" role="alert">
          {unlink.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onClose} data-autofocus>
          {t('close.cancel')}
        </Button>
        <Button color="red" loading={unlink.isPending} onClick={() => unlink.mutate()}>
          {t('reader.unlinkShort')}
        </Button>
      </Group>
    </Stack>
  );
}
