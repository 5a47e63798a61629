// One conversation's timeline: what readers wrote, what staff answered, notes, and the events around
// them (routing, assignment, transfer, status, SLA). Email HTML is shown inert; its quoted history folds.
import { useMemo, useState } from 'react';
import { Anchor, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Attachment, Message } from './api';

/**
 * An email's HTML, inert: a sandboxed frame without scripts (links may open a new tab, which the
 * sanitiser marks noopener) whose own CSP loads nothing at all, and remote images
 * only once the agent asks for them: a tracking pixel tells the sender when, and that a person, read it.
 */
export function InertHtml({ html, title, images }: { html: string; title: string; images: boolean }) {
  const doc = useMemo(() => inertDocument(html, images), [html, images]);
  return (
    <iframe
      title={title}
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      srcDoc={doc}
      style={{ width: '100%', border: 0, minHeight: 160, resize: 'vertical' }}
    />
  );
}

/** Attributes through which an element fetches something by itself (an image, a poster, a background). */
const FETCHING = ['src', 'srcset', 'poster', 'background', 'href', 'xlink:href'] as const;
const KEPT = /^\s*(data:|cid:|#)/i;

/**
 * The frame's document: the mail parsed by the browser's own inert parser (DOMParser loads nothing),
 * the CSP as the first thing in its head, and — until the agent asks — no remote address left on any
 * element that would fetch it. The CSP alone is not enough: Chromium's preload scanner can request an
 * `<img src>` before it has applied a `<meta>` policy, so a tracking pixel could still be fetched.
 */
export function inertDocument(html: string, images: boolean): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  if (!images) {
    for (const el of doc.querySelectorAll(
      'img, image, source, picture, video, audio, track, input, body, table, td, th',
    )) {
      for (const name of FETCHING) {
        if (name === 'href' && el.localName !== 'image') continue;
        const value = el.getAttribute(name);
        if (value !== null && !KEPT.test(value)) el.removeAttribute(name);
      }
    }
    for (const link of doc.querySelectorAll('link')) link.remove();
  }
  const policy = `default-src 'none'; style-src 'unsafe-inline'${images ? '; img-src https: data:' : ''}`;
  const meta = doc.createElement('meta');
  meta.setAttribute('http-equiv', 'Content-Security-Policy');
  meta.setAttribute('content', policy);
  const base = doc.createElement('base');
  base.setAttribute('target', '_blank');
  doc.head.prepend(meta, base);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}

const kb = (bytes: number, language: string) =>
  new Intl.NumberFormat(language, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(
    Math.max(1, Math.round(bytes / 1024)),
  );

function Attachments({ files }: { files: Attachment[] }) {
  const { t, i18n } = useTranslation();
  if (files.length === 0) return null;
  return (
    <Group gap="xs" mt="xs" aria-label={t('timeline.attachments')} role="list">
      {files.map((f) => (
        <span role="listitem" key={f.id}>
          <Anchor size="sm" href={`/api/v1/attachments/${f.id}/content`} download={f.filename} rel="noopener">
            📎 {f.filename} ({kb(f.size, i18n.language)})
          </Anchor>
        </span>
      ))}
    </Group>
  );
}

/** What a message says: the new text with the quoted history folded, or the inert HTML on request. */
function Body({ message }: { message: Message }) {
  const { t } = useTranslation();
  const [whole, setWhole] = useState(false);
  const [images, setImages] = useState(false);
  // The email channel keeps what it parsed under data.email (email-ingest.service): the split among it.
  const email = message.data?.email;
  const data = (typeof email === 'object' && email !== null ? email : {}) as Record<string, unknown>;
  const quoted = typeof data.quotedText === 'string' && data.quotedText.trim() !== '';
  const newText = typeof data.newText === 'string' ? data.newText : null;
  const hasRemoteImages = !!message.html && /<img\b[^>]*\bsrc\s*=\s*["']?(https:|data:)/i.test(message.html);
  if (quoted && newText !== null && !whole) {
    return (
      <>
        <Text size="sm" dir="auto" style={{ whiteSpace: 'pre-wrap' }}>
          {newText || t('timeline.onlyQuoted')}
        </Text>
        <Button variant="subtle" size="compact-xs" onClick={() => setWhole(true)} mt={4}>
          {t('timeline.showQuoted')}
        </Button>
      </>
    );
  }
  return (
    <>
      {message.html ? (
        <InertHtml html={message.html} title={message.subject ?? t(`message.${message.kind}`)} images={images} />
      ) : (
        <Text size="sm" dir="auto" style={{ whiteSpace: 'pre-wrap' }}>
          {message.text}
        </Text>
      )}
      <Group gap="xs">
        {hasRemoteImages && !images && (
          <Button variant="subtle" size="compact-xs" onClick={() => setImages(true)}>
            {t('timeline.showImages')}
          </Button>
        )}
        {quoted && (
          <Button variant="subtle" size="compact-xs" onClick={() => setWhole(false)}>
            {t('timeline.hideQuoted')}
          </Button>
        )}
      </Group>
    </>
  );
}

/** An event's sentence: "Assigned to Lena", "Moved to Circulation", "First response overdue". */
function eventText(
  t: (key: string, values?: Record<string, unknown>) => string,
  data: Record<string, unknown>,
  nameOf: (agentId: unknown) => string,
  departmentOf: (id: unknown) => string,
): string {
  const type = typeof data.type === 'string' ? data.type : '';
  switch (type) {
    case 'assigned':
      return data.to ? t('event.assigned', { name: nameOf(data.to) }) : t('event.unassigned');
    case 'transferred':
      return t('event.transferred', { department: departmentOf(data.to ?? data.departmentId) });
    case 'status_changed':
      return t('event.status', { status: t(`status.${String(data.to)}`) });
    case 'priority_changed':
      return t('event.priority', { priority: t(`priority.${String(data.to)}`) });
    case 'tags_changed':
      return t('event.tags', {
        added: ((data.added as string[] | undefined) ?? []).join(', ') || '—',
        removed: ((data.removed as string[] | undefined) ?? []).join(', ') || '—',
      });
    case 'subject_changed':
      return t('event.subject');
    case 'routed':
      return t('event.routed', {
        department: departmentOf(data.departmentId),
        rule: typeof data.ruleName === 'string' ? data.ruleName : t('event.defaultRoute'),
      });
    case 'sla_warning':
    case 'sla_breached':
      return t(`event.${type}`, { target: t(`sla.${String(data.target)}`) });
    default:
      return type || t('message.event');
  }
}

export function TimelineItem({
  message,
  nameOf,
  departmentOf,
}: {
  message: Message;
  nameOf: (agentId: unknown) => string;
  departmentOf: (id: unknown) => string;
}) {
  const { t, i18n } = useTranslation();
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' });
  const when = (
    <Text size="xs" c="dimmed" component="time" dateTime={message.createdAt}>
      {time.format(new Date(message.createdAt))}
    </Text>
  );
  if (message.kind === 'event') {
    const breached = message.data?.type === 'sla_breached';
    return (
      <Group justify="space-between" px="sm" data-kind="event" wrap="nowrap">
        <Text size="sm" c={breached ? 'red.9' : 'dimmed'}>
          {eventText(t, message.data ?? {}, nameOf, departmentOf)}
        </Text>
        {when}
      </Group>
    );
  }
  const who =
    message.kind === 'inbound'
      ? t('message.inbound')
      : `${t(`message.${message.kind}`)}${message.authorAgentId ? ` · ${nameOf(message.authorAgentId)}` : ''}`;
  return (
    <Paper p="sm" withBorder bg={message.kind === 'note' ? 'yellow.0' : undefined} data-kind={message.kind}>
      <Stack gap={4}>
        <Group justify="space-between">
          <Text size="xs" fw={600}>
            {who}
          </Text>
          {when}
        </Group>
        <Body message={message} />
        <Attachments files={message.attachments ?? []} />
      </Stack>
    </Paper>
  );
}
