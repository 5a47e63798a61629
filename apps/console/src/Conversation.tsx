import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
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
import { api, type Conversation, type Message, type Reader } from './api';
import { typingIn } from './util';

/** An email's HTML, inert: no script, no network (the CSP inside the sandboxed frame), sized to its content. */
function InertHtml({ html, title }: { html: string; title: string }) {
  const doc =
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<base target="_blank">${html}`;
  return <iframe title={title} sandbox="" srcDoc={doc} style={{ width: '100%', border: 0, minHeight: 120 }} />;
}

export function ConversationPane({ id }: { id: string }) {
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
    <div className="rd-conversation">
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
      <aside aria-label={t('conversation.reader')} className="rd-reader">
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
