import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  FileButton,
  Group,
  Modal,
  Pill,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  api,
  ApiError,
  type Agent,
  type Attachment,
  type Conversation,
  type Department,
  type Message,
  type StaffAccount,
} from './api';
import { useCollision, Viewers } from './Collision';
import { ConversationActions } from './ConversationActions';
import { ReaderPanel } from './ReaderPanel';
import { TimelineItem } from './Timeline';
import { typingIn } from './util';

export function ConversationPane({ id, me, onOpen }: { id: string; me: Agent; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const conversation = useQuery({
    queryKey: ['conversation', id],
    queryFn: () => api<Conversation>('GET', `/conversations/${id}`),
  });
  const timeline = useQuery({
    queryKey: ['timeline', id],
    queryFn: () => api<Message[]>('GET', `/conversations/${id}/timeline`),
  });
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => api<Department[]>('GET', '/departments'),
    staleTime: 5 * 60_000,
  });
  // Names of colleagues: supervisors read the staff list; an agent knows themself (others show as a colleague).
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => api<StaffAccount[]>('GET', '/agents'),
    enabled: me.role !== 'agent',
    staleTime: 60_000,
  });
  const nameOf = (agentId: unknown): string =>
    agentId === me.id
      ? t('people.you')
      : (agents.data?.find((a) => a.id === agentId)?.displayName ?? t('people.colleague'));
  const departmentOf = (departmentId: unknown): string =>
    departments.data?.find((d) => d.id === departmentId)?.name ?? t('people.triage');
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [draft, setDraft] = useState(() => localStorage.getItem(`rd.draft.${id}`) ?? '');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    setDraft(localStorage.getItem(`rd.draft.${id}`) ?? '');
    setFiles([]);
    setFailure(null);
  }, [id]);
  const keep = (text: string) => {
    setDraft(text);
    localStorage.setItem(`rd.draft.${id}`, text);
  };
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ['timeline', id] });
    void queries.invalidateQueries({ queryKey: ['conversation', id] });
    void queries.invalidateQueries({ queryKey: ['conversations'] });
  };
  /** One change to the conversation; a refusal is said in the server's words, and the view reads it again. */
  const changing = useMutation({
    mutationFn: ({ method, path, body }: { method: string; path: string; body?: unknown }) => api(method, path, body),
    onMutate: () => setFailure(null),
    onError: (e: Error) => {
      setFailure(
        e instanceof ApiError && e.status === 409 ? t('conversation.stale', { reason: e.message }) : e.message,
      );
      refresh();
    },
    onSuccess: refresh,
  });
  const change = (method: string, path: string, body?: unknown) =>
    changing.mutateAsync({ method, path, body }).catch(() => undefined);
  const send = useMutation({
    mutationFn: () =>
      api('POST', `/conversations/${id}/${mode === 'reply' ? 'replies' : 'notes'}`, {
        text: draft,
        ...(files.length ? { attachmentIds: files.map((f) => f.id) } : {}),
      }),
    onMutate: () => setFailure(null),
    onError: (e: Error) => setFailure(e.message),
    onSuccess: () => (
      keep(''),
      setFiles([]),
      collision.stopTyping(),
      localStorage.removeItem(`rd.draft.${id}`),
      refresh()
    ),
  });
  const upload = async (picked: File[]) => {
    for (const file of picked) {
      try {
        const done = await api<Attachment>(
          'POST',
          `/conversations/${id}/attachments?filename=${encodeURIComponent(file.name)}`,
          file,
        );
        setFiles((all) => [...all, done]);
      } catch (e) {
        setFailure(t('conversation.uploadFailed', { file: file.name, reason: (e as Error).message }));
      }
    }
  };
  const collision = useCollision(id);
  const canned = useQuery({
    queryKey: ['canned-replies'],
    queryFn: () => api<Array<{ id: string; title: string; shortcut: string | null }>>('GET', '/canned-replies'),
    staleTime: 60_000,
  });
  /** A canned reply, its placeholders filled for this conversation, into the composer (after what is there). */
  const insertCanned = async (replyId: string | null) => {
    if (!replyId) return;
    try {
      const { text } = await api<{ text: string }>('POST', `/conversations/${id}/canned-replies/${replyId}/render`);
      setMode('reply');
      keep(draft.trim() ? `${draft.trimEnd()}\n\n${text}` : text);
      composer.current?.focus();
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const [closing, setClosing] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const c = conversation.data;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'r' || event.key === 'n') {
        event.preventDefault();
        setMode(event.key === 'r' ? 'reply' : 'note');
        composer.current?.focus();
      } else if (event.key === 'e') setClosing(true);
      else if (event.key === 'a' && c && c.assigneeId !== me.id)
        void change('POST', `/conversations/${c.id}/assign`, { assigneeId: me.id, ifAssigneeId: c.assigneeId });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const shown = failure ?? conversation.error?.message ?? null;
  return (
    <div className="rd-conversation">
      <Stack p="md" style={{ flex: 1, minWidth: 0 }} gap="sm">
        {shown && (
          <Alert color="red" role="alert" withCloseButton onClose={() => setFailure(null)}>
            {shown}
          </Alert>
        )}
        {c && (
          <Stack gap={6}>
            <Group justify="space-between">
              <Title order={2} size="h4">
                #{c.number} <bdi>{c.subject ?? t('conversation.noSubject')}</bdi>
              </Title>
              <Button variant="light" onClick={() => setClosing(true)} aria-keyshortcuts="e">
                {t('conversation.resolve')}
              </Button>
            </Group>
            <Group gap="xs">
              <Badge variant="outline">{t(`channel.${c.channel}`)}</Badge>
              <Badge color="gray.7">{t(`status.${c.status}`)}</Badge>
              <Text size="sm" c="dimmed">
                {departmentOf(c.departmentId)} ·{' '}
                {c.assigneeId ? t('conversation.heldBy', { name: nameOf(c.assigneeId) }) : t('queue.unassigned')}
              </Text>
            </Group>
            <Viewers viewers={collision.viewers} me={me.id} />
            <ConversationActions
              conversation={c}
              me={me}
              agents={agents.data}
              departments={departments.data ?? []}
              change={change}
              busy={changing.isPending}
            />
          </Stack>
        )}
        <ScrollArea style={{ flex: 1 }}>
          <Stack gap="xs" data-testid="timeline">
            {(timeline.data ?? []).map((m) => (
              <TimelineItem key={m.id} message={m} nameOf={nameOf} departmentOf={departmentOf} />
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
              onChange={(v) => setMode(v)}
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
              onChange={(e) => (keep(e.currentTarget.value), collision.typing(mode))}
              onKeyDown={(e) => {
                // Ctrl/⌘+Enter sends; Escape leaves the composer so that the shortcuts work again.
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && draft.trim()) send.mutate();
                if (e.key === 'Escape') e.currentTarget.blur();
              }}
              autosize
              minRows={3}
            />
            {files.length > 0 && (
              <Group gap={4} aria-label={t('conversation.attached')}>
                {files.map((f) => (
                  <Pill
                    key={f.id}
                    withRemoveButton
                    onRemove={() => setFiles((all) => all.filter((x) => x.id !== f.id))}
                    removeButtonProps={{ 'aria-label': t('conversation.detach', { file: f.filename }) }}
                  >
                    {f.filename}
                  </Pill>
                ))}
              </Group>
            )}
            <Group>
              <Button type="submit" loading={send.isPending}>
                {mode === 'reply' ? t('conversation.send') : t('conversation.addNote')}
              </Button>
              {(canned.data?.length ?? 0) > 0 && (
                <Select
                  aria-label={t('conversation.canned')}
                  placeholder={t('conversation.canned')}
                  data={(canned.data ?? []).map((r) => ({
                    value: r.id,
                    label: r.shortcut ? `${r.title} (${r.shortcut})` : r.title,
                  }))}
                  value={null}
                  onChange={(v) => void insertCanned(v)}
                  searchable
                  w={220}
                />
              )}
              <FileButton onChange={(picked) => void upload(picked)} multiple>
                {(props) => (
                  <Button variant="default" {...props}>
                    {t('conversation.attach')}
                  </Button>
                )}
              </FileButton>
            </Group>
          </Stack>
        </form>
      </Stack>
      <CloseDialog
        opened={closing}
        onClose={() => setClosing(false)}
        onResolve={(record) =>
          void changing
            .mutateAsync({
              method: 'POST',
              path: `/conversations/${id}/status`,
              body: { status: 'resolved', ...record },
            })
            .then(() => setClosing(false))
            .catch(() => undefined)
        }
        busy={changing.isPending}
      />
      <ReaderPanel readerId={c?.readerId} current={id} me={me} onOpen={onOpen} />
    </div>
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
