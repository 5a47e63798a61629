// What an agent does to a conversation besides answering: take or release it (a supervisor assigns
// anyone of its department), priority, tags, transfer with a note, snooze, wait for the reader, reopen.
// Every change names what the agent saw (the assignee), so a colleague's change a moment earlier
// comes back as a 409 with the server's words, and the view reads the conversation again.
import { useState } from 'react';
import { Button, Group, Menu, Modal, Select, Stack, TagsInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Agent, Conversation, Department, StaffAccount } from './api';

export type Change = (method: string, path: string, body?: unknown) => Promise<unknown>;

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

/** Snooze until: in an hour, tomorrow at 9, next Monday at 9 (the agent's own clock). */
function snoozeTimes(now = new Date()): Array<{ key: string; at: Date }> {
  const hour = new Date(now.getTime() + 60 * 60_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return [
    { key: 'hour', at: hour },
    { key: 'tomorrow', at: tomorrow },
    { key: 'monday', at: monday },
  ];
}

export function ConversationActions({
  conversation: c,
  me,
  agents,
  departments,
  change,
  busy,
}: {
  conversation: Conversation;
  me: Agent;
  agents: StaffAccount[] | undefined;
  departments: Department[];
  change: Change;
  busy: boolean;
}) {
  const { t, i18n } = useTranslation();
  const supervisor = me.role !== 'agent';
  const [transferring, setTransferring] = useState(false);
  const at = new Intl.DateTimeFormat(i18n.language, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  const assign = (assigneeId: string | null) =>
    change('POST', `/conversations/${c.id}/assign`, { assigneeId, ifAssigneeId: c.assigneeId });
  const open = ['new', 'open', 'pending'].includes(c.status);
  const colleagues = (agents ?? []).filter(
    (a) => a.active && c.departmentId && a.departmentIds.includes(c.departmentId),
  );
  return (
    <Group gap="xs" wrap="wrap" aria-label={t('actions.label')} role="toolbar">
      {c.assigneeId === me.id ? (
        <Button variant="default" size="xs" onClick={() => void assign(null)} disabled={busy}>
          {t('actions.release')}
        </Button>
      ) : (
        <Button variant="light" size="xs" onClick={() => void assign(me.id)} disabled={busy} aria-keyshortcuts="a">
          {t('actions.take')}
        </Button>
      )}
      {supervisor && (
        <Select
          aria-label={t('actions.assign')}
          placeholder={t('actions.assign')}
          data={colleagues.map((a) => ({ value: a.id, label: a.displayName }))}
          value={c.assigneeId}
          onChange={(v) => void assign(v)}
          clearable
          searchable
          size="xs"
          w={170}
          disabled={busy}
        />
      )}
      <Select
        aria-label={t('queue.filter.priority')}
        data={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
        value={c.priority}
        onChange={(priority) => priority && void change('PATCH', `/conversations/${c.id}`, { priority })}
        allowDeselect={false}
        size="xs"
        w={110}
        disabled={busy}
      />
      <TagsInput
        aria-label={t('queue.filter.tag')}
        placeholder={c.tags.length ? undefined : t('actions.tags')}
        value={c.tags}
        onChange={(tags) => void change('PATCH', `/conversations/${c.id}`, { tags })}
        size="xs"
        w={200}
        maxTags={20}
        disabled={busy}
      />
      <Button variant="default" size="xs" onClick={() => setTransferring(true)} disabled={busy}>
        {t('actions.transfer')}
      </Button>
      {open && (
        <Menu position="bottom-end">
          <Menu.Target>
            <Button variant="default" size="xs" disabled={busy}>
              {t('actions.snooze')}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {snoozeTimes().map(({ key, at: until }) => (
              <Menu.Item
                key={key}
                onClick={() =>
                  void change('POST', `/conversations/${c.id}/status`, {
                    status: 'snoozed',
                    snoozedUntil: until.toISOString(),
                  })
                }
              >
                {t(`actions.snooze.${key}`, { when: at.format(until) })}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      )}
      {c.status === 'open' || c.status === 'new' ? (
        <Button
          variant="default"
          size="xs"
          onClick={() => void change('POST', `/conversations/${c.id}/status`, { status: 'pending' })}
          disabled={busy}
        >
          {t('actions.pending')}
        </Button>
      ) : c.status !== 'closed' && c.status !== 'new' ? (
        <Button
          variant="default"
          size="xs"
          onClick={() => void change('POST', `/conversations/${c.id}/status`, { status: 'open' })}
          disabled={busy}
        >
          {t('actions.reopen')}
        </Button>
      ) : null}
      <TransferDialog
        opened={transferring}
        onClose={() => setTransferring(false)}
        departments={departments.filter((d) => d.id !== c.departmentId)}
        onTransfer={async (departmentId, note) => {
          await change('POST', `/conversations/${c.id}/transfer`, { departmentId, ...(note.trim() ? { note } : {}) });
          setTransferring(false);
        }}
      />
    </Group>
  );
}

function TransferDialog(props: {
  opened: boolean;
  onClose: () => void;
  departments: Department[];
  onTransfer: (departmentId: string, note: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={t('transfer.title')}
      closeButtonProps={{ 'aria-label': t('close.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!departmentId) return;
          setSending(true);
          void props.onTransfer(departmentId, note).finally(() => setSending(false));
        }}
      >
        <Stack>
          <Select
            label={t('transfer.department')}
            data={props.departments.map((d) => ({ value: d.id, label: d.name }))}
            value={departmentId}
            onChange={setDepartmentId}
            required
            comboboxProps={{ withinPortal: false }}
          />
          <Textarea
            label={t('transfer.note')}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Button type="submit" loading={sending} disabled={!departmentId}>
            {t('actions.transfer')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
