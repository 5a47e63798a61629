// Administration (#/admin/<tab>): departments, staff accounts and roles, inboxes with their mailbox's state,
// branch opening hours, routing rules, SLA policies and canned replies — each a tab over the public REST API.
// Administrators see every tab; supervisors only canned replies (their departments'). Every change
// invalidates the query it touches; a refused change shows the server's own words.
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Grid,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type QueryKey, type UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { CHANNELS, type Channel, PLACEHOLDERS } from '@readerdesk/contracts';
import { api, type Agent, type Department } from './api';
import { useHashRoute } from './util';

export const ADMIN_TABS = ['departments', 'agents', 'inboxes', 'hours', 'routing', 'sla', 'canned'] as const;
type AdminTab = (typeof ADMIN_TABS)[number];
/** The tabs a role manages: administrators all, supervisors their departments' canned replies, agents none. */
export const tabsFor = (role: Agent['role']): readonly AdminTab[] =>
  role === 'administrator' ? ADMIN_TABS : role === 'supervisor' ? ['canned'] : [];

const ROLES = ['agent', 'supervisor', 'administrator'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
type Weekday = (typeof WEEKDAYS)[number];
/** Select's value for "any" (a policy or rule field left open); Mantine's options need a string. */
const ANY = 'any';

interface AdminDepartment extends Department {
  description: string | null;
  branchId: string | null;
}
interface Branch {
  id: string;
  code: string;
  name: string;
  timeZone: string;
}
interface AdminAccount {
  id: string;
  email: string;
  displayName: string;
  role: Agent['role'];
  active: boolean;
  departmentIds: string[];
}
interface Inbox {
  id: string;
  channel: Channel;
  name: string;
  defaultDepartmentId: string | null;
}
interface MailboxStatus {
  state: 'not_configured' | 'unclaimed' | 'connecting' | 'connected' | 'retrying' | 'failing' | 'stale';
  since: string | null;
  lastFetchAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  waiting: number | null;
}
interface EmailInbox {
  id: string;
  address: string;
  imap: { host: string; port: number; user: string; folder: string } | null;
  smtp: { host: string; port: number } | null;
  mailbox: MailboxStatus;
}
interface WeeklyPeriod {
  day: Weekday;
  start: string;
  end: string;
}
interface Holiday {
  date: string;
  name: string;
}
interface Calendar {
  configured: boolean;
  source: string;
  timeZone: string;
  storedTimeZone: string | null;
  weekly: WeeklyPeriod[];
  holidays: Holiday[];
  closures: Array<{ start: string; end: string; name: string | null }>;
}
interface Condition {
  field: string;
  op: string;
  values?: string[];
  value?: boolean;
}
interface RuleActions {
  departmentId?: string;
  priority?: string;
  tags?: string[];
  slaPolicyId?: string;
  requiredSkills?: { languages?: string[]; subjects?: string[] };
}
interface RoutingRule {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Condition[];
  actions: RuleActions;
}
interface SlaPolicy {
  id: string;
  name: string;
  departmentId: string | null;
  priority: string | null;
  channel: Channel | null;
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  businessHours: boolean;
  warnAt: number;
}
interface CannedReply {
  id: string;
  title: string;
  shortcut: string | null;
  text: string;
  departmentId: string | null;
  unknownPlaceholders: string[];
}

/**
 * Settings other administrators may change too: a list is read again whenever its tab opens (the
 * console's other screens follow socket events instead and keep what they read).
 */
const FRESH = { staleTime: 0 } as const;

const useDepartments = () =>
  useQuery({ ...FRESH, queryKey: ['departments'], queryFn: () => api<AdminDepartment[]>('GET', '/departments') });
const useBranches = () =>
  useQuery({ ...FRESH, queryKey: ['branches'], queryFn: () => api<Branch[]>('GET', '/branches') });
const useInboxes = () => useQuery({ ...FRESH, queryKey: ['inboxes'], queryFn: () => api<Inbox[]>('GET', '/inboxes') });
const useSlaPolicies = () =>
  useQuery({ ...FRESH, queryKey: ['sla-policies'], queryFn: () => api<SlaPolicy[]>('GET', '/sla-policies') });
const useAccounts = (enabled = true) =>
  useQuery({ ...FRESH, queryKey: ['agents'], queryFn: () => api<AdminAccount[]>('GET', '/agents'), enabled });

/**
 * A subtle red button (remove, delete). Mantine draws subtle shades no darker than 6, which is short of
 * AA contrast on white; the text takes red 9.
 */
const DANGER = { variant: 'subtle', color: 'red', c: 'red.9' } as const;

/** A badge in a table cell keeps its whole word (Mantine's would shrink to an ellipsis in a narrow column). */
const WHOLE = { minWidth: 'max-content' } as const;

/** A change that reads its lists again once the desk took it. */
function useChange<V, R = unknown>(change: (v: V) => Promise<R>, stale: QueryKey[], done?: (answer: R) => void) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (answer) => {
      await Promise.all(stale.map((queryKey) => queries.invalidateQueries({ queryKey })));
      done?.(answer);
    },
  });
}

/**
 * Text from elsewhere (a server's error, a zone name) set apart inside a sentence (Unicode first-strong
 * isolate), so that a Latin phrase in a Persian sentence keeps its own order and leaves the sentence's alone.
 */
const isolated = (text: string): string => `\u2068${text}\u2069`;

/** Comma-separated words to a list ("a, b," → ["a", "b"]). */
const words = (text: string): string[] =>
  text
    .split(/[,،、，]/)
    .map((w) => w.trim())
    .filter(Boolean);

function Refusal({ error }: { error: Error | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={t('admin.refused')}>
      {error.message}
    </Alert>
  );
}

/** A list's loading line or the reason it could not be read. */
function Reading({ query }: { query: UseQueryResult<unknown> }) {
  const { t } = useTranslation();
  if (query.isError) return <Refusal error={query.error} />;
  if (query.isPending)
    return (
      <Text c="dimmed" size="sm">
        {t('admin.loading')}
      </Text>
    );
  return null;
}

function Section({
  title,
  id,
  children,
  aside,
}: {
  title: string;
  id: string;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: aside ? 8 : 12 }} component="section" aria-labelledby={id}>
        <Title order={3} size="h5" id={id} mb="xs">
          {title}
        </Title>
        {children}
      </Grid.Col>
      {aside && <Grid.Col span={{ base: 12, lg: 4 }}>{aside}</Grid.Col>}
    </Grid>
  );
}

/** A side form in its own box, named by its heading. */
function SideForm(props: { id: string; title: string; onSubmit: () => void; children: ReactNode }) {
  return (
    <Paper withBorder p="md">
      <form
        aria-labelledby={props.id}
        onSubmit={(e: FormEvent<HTMLFormElement>) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h5" id={props.id}>
            {props.title}
          </Title>
          {props.children}
        </Stack>
      </form>
    </Paper>
  );
}

/** An action button whose visible word is followed, for screen readers, by what it acts on. */
const Named = ({ word, what }: { word: string; what: string }) => (
  <>
    {word}
    <VisuallyHidden> {what}</VisuallyHidden>
  </>
);

export function Admin({ me }: { me: Agent }) {
  const { t } = useTranslation();
  const route = useHashRoute();
  const asked = route.split('/')[2] as AdminTab | undefined;
  // A tab the role does not manage (a supervisor's #/admin/agents) shows the role's first one instead.
  const tabs = tabsFor(me.role);
  const tab = asked && tabs.includes(asked) ? asked : tabs[0];
  const panels: Record<AdminTab, ReactNode> = {
    departments: <DepartmentsTab />,
    agents: <AgentsTab me={me} />,
    inboxes: <InboxesTab />,
    hours: <HoursTab />,
    routing: <RoutingTab />,
    sla: <SlaTab />,
    canned: <CannedTab me={me} />,
  };
  return (
    <Stack p="md" gap="md" data-testid="admin">
      <Title order={2} size="h3">
        {t('admin.title')}
      </Title>
      <Tabs
        value={tab}
        keepMounted={false}
        onChange={(value) => {
          if (value) window.location.hash = `#/admin/${value}`;
        }}
      >
        <Tabs.List aria-label={t('admin.tabs')}>
          {tabs.map((value) => (
            <Tabs.Tab key={value} value={value}>
              {t(`admin.tab.${value}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((value) => (
          <Tabs.Panel key={value} value={value} pt="md">
            {panels[value]}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

// ─── Departments ────────────────────────────────────────────────────────────────────────────────

function DepartmentsTab() {
  const { t } = useTranslation();
  const departments = useDepartments();
  const branches = useBranches();
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const rename = useChange(
    (v: { id: string; name: string }) => api('PATCH', `/departments/${v.id}`, { name: v.name }),
    [['departments']],
    () => setEditing(null),
  );
  const blank = { code: '', name: '', description: '', branchId: ANY };
  const [draft, setDraft] = useState(blank);
  const create = useChange(
    () =>
      api('POST', '/departments', {
        code: draft.code.trim(),
        name: draft.name.trim(),
        ...(draft.description.trim() && { description: draft.description.trim() }),
        ...(draft.branchId !== ANY && { branchId: draft.branchId }),
      }),
    [['departments']],
    () => setDraft(blank),
  );
  const branchName = (id: string | null) =>
    id === null ? t('admin.departments.defaultBranch') : (branches.data?.find((b) => b.id === id)?.name ?? '…');

  return (
    <Section
      id="admin-departments"
      title={t('admin.departments.title')}
      aside={
        <SideForm
          id="admin-department-new"
          title={t('admin.departments.new')}
          onSubmit={() => create.mutate(undefined)}
        >
          <Refusal error={create.error} />
          <TextInput
            label={t('admin.departments.code')}
            description={t('admin.departments.codeHint')}
            value={draft.code}
            onChange={(e) => setDraft({ ...draft, code: e.currentTarget.value })}
            maxLength={32}
            required
          />
          <TextInput
            label={t('admin.departments.name')}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            maxLength={200}
            required
          />
          <Select
            label={t('admin.departments.branch')}
            data={[
              { value: ANY, label: t('admin.departments.defaultBranch') },
              ...(branches.data ?? []).map((b) => ({ value: b.id, label: b.name })),
            ]}
            value={draft.branchId}
            onChange={(v) => setDraft({ ...draft, branchId: v ?? ANY })}
            allowDeselect={false}
          />
          <Textarea
            label={t('admin.departments.description')}
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
            maxLength={1000}
            autosize
            minRows={2}
          />
          <Button type="submit" loading={create.isPending}>
            {t('admin.departments.create')}
          </Button>
        </SideForm>
      }
    >
      <Reading query={departments} />
      <Refusal error={rename.error} />
      {departments.data && (
        <Table.ScrollContainer minWidth={480}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-departments" data-testid="admin-departments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.departments.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.departments.code')}</Table.Th>
                <Table.Th scope="col">{t('admin.departments.branch')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('admin.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {departments.data.map((d) => (
                <Table.Tr key={d.id}>
                  {editing?.id === d.id ? (
                    <Table.Td colSpan={4}>
                      <form
                        onSubmit={(e) => {
                          e.preventDefault();
                          rename.mutate({ id: d.id, name: editing.name.trim() });
                        }}
                      >
                        <Group gap="xs" align="flex-end">
                          <TextInput
                            label={t('admin.departments.newName', { name: d.name })}
                            value={editing.name}
                            onChange={(e) => setEditing({ id: d.id, name: e.currentTarget.value })}
                            maxLength={200}
                            required
                            data-autofocus
                            style={{ flex: 1 }}
                          />
                          <Button type="submit" loading={rename.isPending}>
                            {t('admin.save')}
                          </Button>
                          <Button variant="default" onClick={() => (setEditing(null), rename.reset())}>
                            {t('admin.cancel')}
                          </Button>
                        </Group>
                      </form>
                    </Table.Td>
                  ) : (
                    <>
                      <Table.Th scope="row" fw={500}>
                        {d.name}
                        {d.description && (
                          <Text size="xs" c="dimmed" fw={400}>
                            {d.description}
                          </Text>
                        )}
                      </Table.Th>
                      <Table.Td>
                        <code>{d.code}</code>
                      </Table.Td>
                      <Table.Td>{branchName(d.branchId)}</Table.Td>
                      <Table.Td style={{ textAlign: 'end' }}>
                        <Button
                          variant="subtle"
                          size="compact-sm"
                          onClick={() => (setEditing({ id: d.id, name: d.name }), rename.reset())}
                        >
                          <Named word={t('admin.rename')} what={d.name} />
                        </Button>
                      </Table.Td>
                    </>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

// ─── Agents and roles ───────────────────────────────────────────────────────────────────────────

function AgentsTab({ me }: { me: Agent }) {
  const { t, i18n } = useTranslation();
  const agents = useAccounts();
  const departments = useDepartments();
  const list = useMemo(() => new Intl.ListFormat(i18n.language, { type: 'unit', style: 'short' }), [i18n.language]);
  const [editing, setEditing] = useState<AdminAccount | null>(null);
  const departmentOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) }));
  const blank = {
    email: '',
    displayName: '',
    role: 'agent' as Agent['role'],
    departmentIds: [] as string[],
    password: '',
  };
  const [draft, setDraft] = useState(blank);
  const create = useChange(
    () => api('POST', '/agents', { ...draft, email: draft.email.trim(), displayName: draft.displayName.trim() }),
    [['agents']],
    () => setDraft(blank),
  );
  const names = (ids: string[]) =>
    ids.length === 0 ? '—' : list.format(ids.map((id) => departments.data?.find((d) => d.id === id)?.name ?? '…'));

  return (
    <Section
      id="admin-agents"
      title={t('admin.agents.title')}
      aside={
        <SideForm id="admin-agent-new" title={t('admin.agents.new')} onSubmit={() => create.mutate(undefined)}>
          <Refusal error={create.error} />
          <TextInput
            type="email"
            label={t('admin.agents.email')}
            value={draft.email}
            onChange={(e) => setDraft({ ...draft, email: e.currentTarget.value })}
            autoComplete="off"
            maxLength={254}
            required
          />
          <TextInput
            label={t('admin.agents.name')}
            value={draft.displayName}
            onChange={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })}
            maxLength={200}
            required
          />
          <Select
            label={t('admin.agents.role')}
            data={roleOptions}
            value={draft.role}
            onChange={(v) => setDraft({ ...draft, role: v ?? 'agent' })}
            allowDeselect={false}
          />
          <MultiSelect
            label={t('admin.agents.departments')}
            data={departmentOptions}
            value={draft.departmentIds}
            onChange={(v) => setDraft({ ...draft, departmentIds: v })}
            searchable
          />
          <PasswordInput
            label={t('admin.agents.password')}
            description={t('admin.agents.passwordHint')}
            value={draft.password}
            onChange={(e) => setDraft({ ...draft, password: e.currentTarget.value })}
            autoComplete="new-password"
            minLength={12}
            maxLength={1024}
            required
          />
          <Button type="submit" loading={create.isPending}>
            {t('admin.agents.create')}
          </Button>
        </SideForm>
      }
    >
      <Reading query={agents} />
      {agents.data && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-agents" data-testid="admin-agents">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.agents.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.agents.email')}</Table.Th>
                <Table.Th scope="col">{t('admin.agents.role')}</Table.Th>
                <Table.Th scope="col">{t('admin.agents.departments')}</Table.Th>
                <Table.Th scope="col">{t('admin.agents.status')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('admin.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agents.data.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Th scope="row" fw={500}>
                    {a.displayName}
                    {a.id === me.id && (
                      <Text span size="xs" c="dimmed" fw={400}>
                        {' '}
                        {t('admin.agents.you')}
                      </Text>
                    )}
                  </Table.Th>
                  <Table.Td>{a.email}</Table.Td>
                  <Table.Td>{t(`admin.role.${a.role}`)}</Table.Td>
                  <Table.Td>{names(a.departmentIds)}</Table.Td>
                  <Table.Td>
                    <Badge color={a.active ? 'teal.9' : 'gray.7'} style={WHOLE}>
                      {a.active ? t('admin.agents.active') : t('admin.agents.inactive')}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ textAlign: 'end' }}>
                    <Button variant="subtle" size="compact-sm" onClick={() => setEditing(a)}>
                      <Named word={t('admin.edit')} what={a.displayName} />
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <AgentDialog
          key={editing.id}
          agent={editing}
          self={editing.id === me.id}
          departments={departmentOptions}
          onClose={() => setEditing(null)}
        />
      )}
    </Section>
  );
}

function AgentDialog(props: {
  agent: AdminAccount;
  self: boolean;
  departments: Array<{ value: string; label: string }>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({
    displayName: props.agent.displayName,
    role: props.agent.role,
    departmentIds: props.agent.departmentIds,
    active: props.agent.active,
  });
  // Your own role and status stay as they are here: changing them could lock the last administrator out.
  const save = useChange(
    () =>
      api('PATCH', `/agents/${props.agent.id}`, {
        displayName: draft.displayName.trim(),
        departmentIds: draft.departmentIds,
        ...(!props.self && { role: draft.role, active: draft.active }),
      }),
    [['agents']],
    props.onClose,
  );
  return (
    <Modal
      opened
      onClose={props.onClose}
      title={t('admin.agents.edit', { name: props.agent.displayName })}
      closeButtonProps={{ 'aria-label': t('admin.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(undefined);
        }}
      >
        <Stack gap="sm">
          <Refusal error={save.error} />
          <TextInput
            label={t('admin.agents.name')}
            value={draft.displayName}
            onChange={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })}
            maxLength={200}
            required
          />
          <Select
            label={t('admin.agents.role')}
            description={props.self ? t('admin.agents.selfHint') : undefined}
            data={ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) }))}
            value={draft.role}
            onChange={(v) => setDraft({ ...draft, role: v ?? draft.role })}
            allowDeselect={false}
            disabled={props.self}
          />
          <MultiSelect
            label={t('admin.agents.departments')}
            data={props.departments}
            value={draft.departmentIds}
            onChange={(v) => setDraft({ ...draft, departmentIds: v })}
            searchable
          />
          <Switch
            label={t('admin.agents.activeSwitch')}
            description={t('admin.agents.activeHint')}
            checked={draft.active}
            onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })}
            disabled={props.self}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('admin.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ─── Inboxes ────────────────────────────────────────────────────────────────────────────────────

const MAILBOX_COLOR: Record<MailboxStatus['state'], string> = {
  not_configured: 'gray.7',
  unclaimed: 'gray.7',
  connecting: 'blue.8',
  connected: 'teal.9',
  retrying: 'grape.9',
  failing: 'red.9',
  stale: 'grape.9',
};

function InboxesTab() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const inboxes = useInboxes();
  const departments = useDepartments();
  const departmentOptions = [
    { value: ANY, label: t('admin.inboxes.noDepartment') },
    ...(departments.data ?? []).map((d) => ({ value: d.id, label: d.name })),
  ];
  const departmentName = (id: string | null) =>
    id === null ? '—' : (departments.data?.find((d) => d.id === id)?.name ?? '…');
  return (
    <Section
      id="admin-inboxes"
      title={t('admin.inboxes.title')}
      aside={
        <Stack>
          <EmailInboxForm departments={departmentOptions} />
          <WebFormInboxForm departments={departmentOptions} />
        </Stack>
      }
    >
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="dimmed">
          {t('admin.inboxes.hint')}
        </Text>
        <Button
          variant="default"
          size="compact-sm"
          onClick={() => {
            void queries.invalidateQueries({ queryKey: ['inboxes'] });
            void queries.invalidateQueries({ queryKey: ['inbox-email'] });
          }}
        >
          {t('admin.inboxes.refresh')}
        </Button>
      </Group>
      <Reading query={inboxes} />
      {inboxes.data && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-inboxes" data-testid="admin-inboxes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.inboxes.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.inboxes.channel')}</Table.Th>
                <Table.Th scope="col">{t('admin.inboxes.department')}</Table.Th>
                <Table.Th scope="col">{t('admin.inboxes.state')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {inboxes.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed">
                      {t('admin.inboxes.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {inboxes.data.map((inbox) => (
                <Table.Tr key={inbox.id} data-inbox={inbox.id}>
                  <Table.Th scope="row" fw={500}>
                    {inbox.name}
                  </Table.Th>
                  <Table.Td>
                    <Badge variant="outline" color="blue.8" style={WHOLE}>
                      {t(`channel.${inbox.channel}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{departmentName(inbox.defaultDepartmentId)}</Table.Td>
                  <Table.Td>
                    {inbox.channel === 'email' ? (
                      <MailboxState id={inbox.id} />
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('admin.inboxes.noConnection')}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

/** An email inbox's address and how reading it goes (GET /inboxes/:id/email); `mailbox.health-changed` refreshes it. */
function MailboxState({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const mailbox = useQuery({
    ...FRESH,
    queryKey: ['inbox-email', id],
    queryFn: () => api<EmailInbox>('GET', `/inboxes/${id}/email`),
  });
  const time = useMemo(
    () => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' }),
    [i18n.language],
  );
  const number = useMemo(() => new Intl.NumberFormat(i18n.language), [i18n.language]);
  if (!mailbox.data) return <Reading query={mailbox} />;
  const { address, mailbox: status } = mailbox.data;
  return (
    <Stack gap={2} data-mailbox-state={status.state}>
      <Group gap="xs">
        <Badge color={MAILBOX_COLOR[status.state]} style={WHOLE}>
          {t(`admin.mailbox.${status.state}`)}
        </Badge>
        <Text size="sm" dir="ltr">
          {address}
        </Text>
      </Group>
      {status.lastFetchAt && (
        <Text size="xs" c="dimmed">
          {t('admin.mailbox.lastFetch', { time: time.format(new Date(status.lastFetchAt)) })}
        </Text>
      )}
      {status.lastError && (status.state === 'failing' || status.state === 'retrying' || status.state === 'stale') && (
        <Text size="xs" c="red.9">
          {t('admin.mailbox.lastError', { error: isolated(status.lastError) })}
          {status.consecutiveFailures > 0 &&
            ` · ${t('admin.mailbox.failures', {
              count: status.consecutiveFailures,
              formatted: number.format(status.consecutiveFailures),
            })}`}
        </Text>
      )}
    </Stack>
  );
}

function EmailInboxForm({ departments }: { departments: Array<{ value: string; label: string }> }) {
  const { t } = useTranslation();
  const blank = {
    name: '',
    address: '',
    fromName: '',
    departmentId: ANY,
    imap: { host: '', port: 993 as number | string, secure: true, user: '', password: '' },
    imapFolder: 'INBOX',
    smtp: { host: '', port: 465 as number | string, secure: true, user: '', password: '' },
  };
  const [d, setDraft] = useState(blank);
  const set = (changes: Partial<typeof blank>) => setDraft({ ...d, ...changes });
  const create = useChange(
    () =>
      api('POST', '/inboxes/email', {
        name: d.name.trim(),
        address: d.address.trim(),
        ...(d.fromName.trim() && { fromName: d.fromName.trim() }),
        ...(d.departmentId !== ANY && { defaultDepartmentId: d.departmentId }),
        // Without a host the mailbox is not read over IMAP (mail may be relayed to the desk over SMTP instead).
        ...(d.imap.host.trim() && {
          imap: {
            host: d.imap.host.trim(),
            port: Number(d.imap.port),
            secure: d.imap.secure,
            user: d.imap.user.trim(),
            password: d.imap.password,
            folder: d.imapFolder.trim() || 'INBOX',
          },
        }),
        ...(d.smtp.host.trim() && {
          smtp: {
            host: d.smtp.host.trim(),
            port: Number(d.smtp.port),
            secure: d.smtp.secure,
            ...(d.smtp.user.trim() && { user: d.smtp.user.trim() }),
            ...(d.smtp.password && { password: d.smtp.password }),
          },
        }),
      }),
    [['inboxes']],
    () => setDraft(blank),
  );
  return (
    <SideForm id="admin-email-inbox-new" title={t('admin.inboxes.newEmail')} onSubmit={() => create.mutate(undefined)}>
      <Refusal error={create.error} />
      <TextInput
        label={t('admin.inboxes.name')}
        value={d.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        maxLength={200}
        required
      />
      <TextInput
        type="email"
        label={t('admin.inboxes.address')}
        value={d.address}
        onChange={(e) => set({ address: e.currentTarget.value })}
        maxLength={320}
        required
      />
      <TextInput
        label={t('admin.inboxes.fromName')}
        value={d.fromName}
        onChange={(e) => set({ fromName: e.currentTarget.value })}
        maxLength={200}
      />
      <Select
        label={t('admin.inboxes.department')}
        data={departments}
        value={d.departmentId}
        onChange={(v) => set({ departmentId: v ?? ANY })}
        allowDeselect={false}
      />
      <ServerFieldset
        legend={t('admin.inboxes.imap')}
        hint={t('admin.inboxes.imapHint')}
        server={d.imap}
        onChange={(imap) => set({ imap })}
        signInRequired
      >
        <TextInput
          label={t('admin.inboxes.folder')}
          value={d.imapFolder}
          onChange={(e) => set({ imapFolder: e.currentTarget.value })}
          maxLength={200}
        />
      </ServerFieldset>
      <ServerFieldset
        legend={t('admin.inboxes.smtp')}
        hint={t('admin.inboxes.smtpHint')}
        server={d.smtp}
        onChange={(smtp) => set({ smtp })}
      />
      <Button type="submit" loading={create.isPending}>
        {t('admin.inboxes.createEmail')}
      </Button>
    </SideForm>
  );
}

interface ServerDraft {
  host: string;
  port: number | string;
  secure: boolean;
  user: string;
  password: string;
}

/** A mail server's host, port, TLS and sign-in (IMAP to read the mailbox, SMTP to send from it). */
function ServerFieldset(props: {
  legend: string;
  hint: string;
  server: ServerDraft;
  onChange: (server: ServerDraft) => void;
  /** IMAP needs a sign-in once a host is given; SMTP may relay without one. */
  signInRequired?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const { server } = props;
  const set = (changes: Partial<ServerDraft>) => props.onChange({ ...server, ...changes });
  const required = !!props.signInRequired && !!server.host.trim();
  return (
    <Fieldset legend={props.legend} variant="filled">
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          {props.hint}
        </Text>
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <TextInput
            label={t('admin.inboxes.host')}
            value={server.host}
            onChange={(e) => set({ host: e.currentTarget.value })}
            maxLength={253}
            style={{ flex: 1 }}
          />
          <NumberInput
            label={t('admin.inboxes.port')}
            value={server.port}
            onChange={(port) => set({ port })}
            min={1}
            max={65535}
            allowDecimal={false}
            allowNegative={false}
            hideControls
            w={80}
          />
        </Group>
        <Checkbox
          label={t('admin.inboxes.secure')}
          checked={server.secure}
          onChange={(e) => set({ secure: e.currentTarget.checked })}
        />
        <TextInput
          label={t('admin.inboxes.user')}
          value={server.user}
          onChange={(e) => set({ user: e.currentTarget.value })}
          required={required}
          autoComplete="off"
          maxLength={320}
        />
        <PasswordInput
          label={t('admin.inboxes.password')}
          value={server.password}
          onChange={(e) => set({ password: e.currentTarget.value })}
          required={required}
          autoComplete="new-password"
          maxLength={1024}
        />
        {props.children}
      </Stack>
    </Fieldset>
  );
}

/** An inbox of the API channel: a form on the library's website posts its questions to it. */
function WebFormInboxForm({ departments }: { departments: Array<{ value: string; label: string }> }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [departmentId, setDepartmentId] = useState(ANY);
  const create = useChange(
    () =>
      api('POST', '/inboxes', {
        channel: 'api',
        name: name.trim(),
        ...(departmentId !== ANY && { defaultDepartmentId: departmentId }),
      }),
    [['inboxes']],
    () => (setName(''), setDepartmentId(ANY)),
  );
  return (
    <SideForm id="admin-api-inbox-new" title={t('admin.inboxes.newApi')} onSubmit={() => create.mutate(undefined)}>
      <Refusal error={create.error} />
      <TextInput
        label={t('admin.inboxes.name')}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        maxLength={200}
        required
      />
      <Select
        label={t('admin.inboxes.department')}
        data={departments}
        value={departmentId}
        onChange={(v) => setDepartmentId(v ?? ANY)}
        allowDeselect={false}
      />
      <Button type="submit" loading={create.isPending}>
        {t('admin.inboxes.createApi')}
      </Button>
    </SideForm>
  );
}

// ─── Opening hours ──────────────────────────────────────────────────────────────────────────────

/** Weekday names in the reader's language (1 January 2024 was a Monday). */
function useWeekdayNames(): Record<Weekday, string> {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' });
    return Object.fromEntries(
      WEEKDAYS.map((day, i) => [day, format.format(new Date(Date.UTC(2024, 0, 1 + i)))]),
    ) as Record<Weekday, string>;
  }, [i18n.language]);
}

function HoursTab() {
  const { t } = useTranslation();
  const branches = useBranches();
  const [chosen, setChosen] = useState<string | null>(null);
  const branchId = chosen ?? branches.data?.[0]?.id ?? null;
  return (
    <Stack gap="md">
      <Reading query={branches} />
      {branches.data && (
        <Select
          label={t('admin.hours.branch')}
          data={branches.data.map((b) => ({ value: b.id, label: b.name }))}
          value={branchId}
          onChange={(v) => setChosen(v)}
          allowDeselect={false}
          w={280}
        />
      )}
      {branchId && <BranchHours key={branchId} branchId={branchId} />}
    </Stack>
  );
}

function BranchHours({ branchId }: { branchId: string }) {
  const { t, i18n } = useTranslation();
  const key = ['calendar', 'branch', branchId];
  const calendar = useQuery({
    ...FRESH,
    queryKey: key,
    queryFn: () => api<Calendar>('GET', `/branches/${branchId}/calendar`),
  });
  const days = useWeekdayNames();
  const [editing, setEditing] = useState<{ weekly: WeeklyPeriod[]; holidays: Holiday[] } | null>(null);
  const save = useChange(
    (next: { weekly: WeeklyPeriod[]; holidays: Holiday[] }) =>
      api('PUT', `/branches/${branchId}/calendar`, {
        // PUT replaces the calendar whole: the zone and closures go back as they were.
        timeZone: calendar.data?.storedTimeZone ?? null,
        weekly: next.weekly.map((p) => ({ day: p.day, start: p.start.trim(), end: p.end.trim() })),
        holidays: next.holidays.map((h) => ({ date: h.date.trim(), name: h.name.trim() })),
        closures: (calendar.data?.closures ?? []).map((c) => ({ start: c.start, end: c.end, name: c.name })),
      }),
    [key],
    () => setEditing(null),
  );
  const holidayDate = useMemo(() => {
    const once = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long', timeZone: 'UTC' });
    const yearly = new Intl.DateTimeFormat(i18n.language, { month: 'long', day: 'numeric', timeZone: 'UTC' });
    return (date: string): string => {
      const at = new Date(`${date.length === 5 ? `2000-${date}` : date}T00:00:00Z`);
      if (Number.isNaN(at.getTime())) return date;
      return date.length === 5 ? t('admin.hours.everyYear', { date: yearly.format(at) }) : once.format(at);
    };
  }, [i18n.language, t]);

  if (!calendar.data) return <Reading query={calendar} />;
  const c = calendar.data;
  const periodsOf = (weekly: WeeklyPeriod[], day: Weekday) => weekly.filter((p) => p.day === day);

  if (editing) {
    const setWeekly = (weekly: WeeklyPeriod[]) => setEditing({ ...editing, weekly });
    const setHolidays = (holidays: Holiday[]) => setEditing({ ...editing, holidays });
    return (
      <form
        aria-labelledby="admin-hours-edit"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(editing);
        }}
      >
        <Stack gap="md" maw={760}>
          <Title order={3} size="h5" id="admin-hours-edit">
            {t('admin.hours.editTitle', { zone: isolated(c.timeZone) })}
          </Title>
          <Refusal error={save.error} />
          <Fieldset legend={t('admin.hours.weekly')}>
            <Stack gap="sm">
              <Text size="xs" c="dimmed">
                {t('admin.hours.timeHint')}
              </Text>
              {WEEKDAYS.map((day) => {
                const periods = periodsOf(editing.weekly, day);
                return (
                  <Group key={day} align="flex-start" gap="sm" wrap="nowrap">
                    <Text fw={500} w={110} pt={6} style={{ flex: 'none' }}>
                      {days[day]}
                    </Text>
                    <Stack gap={6} style={{ flex: 1 }}>
                      {periods.length === 0 && (
                        <Text size="sm" c="dimmed" pt={6}>
                          {t('admin.hours.closed')}
                        </Text>
                      )}
                      {periods.map((p, n) => {
                        const which = periods.length > 1 ? ` ${n + 1}` : '';
                        const replace = (changes: Partial<WeeklyPeriod>) =>
                          setWeekly(editing.weekly.map((q) => (q === p ? { ...q, ...changes } : q)));
                        return (
                          <Group key={n} gap="xs" wrap="nowrap">
                            <TextInput
                              aria-label={t('admin.hours.opens', { day: days[day] }) + which}
                              value={p.start}
                              onChange={(e) => replace({ start: e.currentTarget.value })}
                              placeholder="09:00"
                              maxLength={5}
                              inputMode="numeric"
                              dir="ltr"
                              w={80}
                              required
                            />
                            <Text aria-hidden size="sm">
                              –
                            </Text>
                            <TextInput
                              aria-label={t('admin.hours.closes', { day: days[day] }) + which}
                              value={p.end}
                              onChange={(e) => replace({ end: e.currentTarget.value })}
                              placeholder="17:00"
                              maxLength={5}
                              inputMode="numeric"
                              dir="ltr"
                              w={80}
                              required
                            />
                            <Button
                              {...DANGER}
                              size="compact-sm"
                              onClick={() => setWeekly(editing.weekly.filter((q) => q !== p))}
                            >
                              <Named word={t('admin.remove')} what={`${days[day]}${which}`} />
                            </Button>
                          </Group>
                        );
                      })}
                    </Stack>
                    <Button
                      variant="default"
                      size="compact-sm"
                      mt={4}
                      onClick={() => setWeekly([...editing.weekly, { day, start: '09:00', end: '17:00' }])}
                    >
                      <Named word={t('admin.hours.addPeriod')} what={days[day]} />
                    </Button>
                  </Group>
                );
              })}
            </Stack>
          </Fieldset>
          <Fieldset legend={t('admin.hours.holidays')}>
            <Stack gap="xs">
              <Text size="xs" c="dimmed">
                {t('admin.hours.holidayHint')}
              </Text>
              {editing.holidays.map((h, n) => {
                const replace = (changes: Partial<Holiday>) =>
                  setHolidays(editing.holidays.map((o, i) => (i === n ? { ...o, ...changes } : o)));
                return (
                  <Group key={n} gap="xs" wrap="nowrap" align="flex-end">
                    <TextInput
                      label={t('admin.hours.holidayDate')}
                      value={h.date}
                      onChange={(e) => replace({ date: e.currentTarget.value })}
                      placeholder="12-25"
                      maxLength={10}
                      dir="ltr"
                      w={130}
                      required
                    />
                    <TextInput
                      label={t('admin.hours.holidayName')}
                      value={h.name}
                      onChange={(e) => replace({ name: e.currentTarget.value })}
                      maxLength={200}
                      required
                      style={{ flex: 1 }}
                    />
                    <Button
                      {...DANGER}
                      mb={4}
                      size="compact-sm"
                      onClick={() => setHolidays(editing.holidays.filter((_, i) => i !== n))}
                    >
                      <Named word={t('admin.remove')} what={h.name || h.date} />
                    </Button>
                  </Group>
                );
              })}
              <Group>
                <Button
                  variant="default"
                  size="compact-sm"
                  onClick={() => setHolidays([...editing.holidays, { date: '', name: '' }])}
                >
                  {t('admin.hours.addHoliday')}
                </Button>
              </Group>
            </Stack>
          </Fieldset>
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('admin.hours.save')}
            </Button>
            <Button variant="default" onClick={() => (setEditing(null), save.reset())}>
              {t('admin.cancel')}
            </Button>
          </Group>
        </Stack>
      </form>
    );
  }

  const weekdayHours = (day: Weekday) => {
    const periods = periodsOf(c.weekly, day);
    if (!c.configured) return t('admin.hours.allDay');
    if (periods.length === 0) return t('admin.hours.closed');
    return periods.map((p) => `${p.start}–${p.end}`).join(', ');
  };
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }} component="section" aria-labelledby="admin-hours-weekly">
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h5" id="admin-hours-weekly">
            {t('admin.hours.weekly')}
          </Title>
          <Button
            size="compact-sm"
            onClick={() =>
              setEditing({
                weekly: c.configured
                  ? c.weekly
                  : WEEKDAYS.slice(0, 5).map((day) => ({ day, start: '09:00', end: '17:00' })),
                holidays: c.holidays,
              })
            }
          >
            {t('admin.hours.edit')}
          </Button>
        </Group>
        <Text size="sm" c="dimmed" mb="xs">
          {c.configured
            ? t('admin.hours.zone', { zone: isolated(c.timeZone) })
            : t('admin.hours.notConfigured', { zone: isolated(c.timeZone) })}
        </Text>
        <Table verticalSpacing="xs" aria-labelledby="admin-hours-weekly" data-testid="admin-hours">
          <Table.Tbody>
            {WEEKDAYS.map((day) => (
              <Table.Tr key={day}>
                <Table.Th scope="row" fw={500} w={160}>
                  {days[day]}
                </Table.Th>
                <Table.Td>
                  <span dir="ltr">{weekdayHours(day)}</span>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }} component="section" aria-labelledby="admin-hours-holidays">
        <Title order={3} size="h5" id="admin-hours-holidays" mb="xs">
          {t('admin.hours.holidays')}
        </Title>
        {c.holidays.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('admin.hours.noHolidays')}
          </Text>
        ) : (
          <Table verticalSpacing="xs" aria-labelledby="admin-hours-holidays">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.hours.holidayDate')}</Table.Th>
                <Table.Th scope="col">{t('admin.hours.holidayName')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.holidays.map((h) => (
                <Table.Tr key={h.date}>
                  <Table.Td>{holidayDate(h.date)}</Table.Td>
                  <Table.Td>{h.name}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {c.closures.length > 0 && (
          <>
            <Title order={4} size="h6" mt="md" mb="xs">
              {t('admin.hours.closures')}
            </Title>
            <Stack gap={4}>
              {c.closures.map((closure) => (
                <Text key={`${closure.start}/${closure.end}`} size="sm">
                  <span dir="ltr">
                    {closure.start} – {closure.end}
                  </span>
                  {closure.name && ` · ${closure.name}`}
                </Text>
              ))}
            </Stack>
          </>
        )}
      </Grid.Col>
    </Grid>
  );
}

// ─── Routing rules ──────────────────────────────────────────────────────────────────────────────

/** The conditions the simple form edits; any other condition a rule has is kept as it is. */
const simple = (c: Condition) =>
  (c.field === 'channel' && c.op === 'in') ||
  (c.field === 'inbox' && c.op === 'in') ||
  (c.field === 'keywords' && c.op === 'anyOf');

function RoutingTab() {
  const { t, i18n } = useTranslation();
  const rules = useQuery({
    ...FRESH,
    queryKey: ['routing-rules'],
    queryFn: () => api<RoutingRule[]>('GET', '/routing-rules'),
  });
  const departments = useDepartments();
  const inboxes = useInboxes();
  const policies = useSlaPolicies();
  const number = useMemo(() => new Intl.NumberFormat(i18n.language), [i18n.language]);
  // A condition's values are alternatives: "Email or Web form".
  const anyOf = useMemo(() => new Intl.ListFormat(i18n.language, { type: 'disjunction' }), [i18n.language]);
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RoutingRule | null>(null);
  const reorder = useChange((ids: string[]) => api('PUT', '/routing-rules/order', { ids }), [['routing-rules']]);
  const remove = useChange(
    (id: string) => api('DELETE', `/routing-rules/${id}`),
    [['routing-rules']],
    () => setDeleting(null),
  );
  const departmentName = (id: string) => departments.data?.find((d) => d.id === id)?.name ?? '…';
  const inboxName = (id: string) => inboxes.data?.find((i) => i.id === id)?.name ?? '…';
  const quoted = (v: string) => t('admin.routing.quoted', { text: v });

  const describe = (c: Condition): string => {
    const values = c.values ?? [];
    const shown =
      c.field === 'channel'
        ? values.map((v) => t(`channel.${v}`))
        : c.field === 'inbox'
          ? values.map(inboxName)
          : c.field === 'chosenDepartment'
            ? values.map(departmentName)
            : c.field === 'keywords'
              ? values.map(quoted)
              : values;
    if (c.field === 'openNow') return c.value ? t('admin.routing.openNow') : t('admin.routing.closedNow');
    return t(`admin.routing.op.${c.op}`, {
      field: t(`admin.routing.field.${c.field}`, { defaultValue: c.field }),
      values: anyOf.format(shown),
      defaultValue: `${c.field} ${c.op} ${anyOf.format(shown)}`,
    });
  };
  const outcome = (a: RuleActions): string[] =>
    [
      a.departmentId && t('admin.routing.toDepartment', { name: departmentName(a.departmentId) }),
      a.priority && t('admin.routing.withPriority', { priority: t(`priority.${a.priority}`) }),
      a.tags?.length && t('admin.routing.withTags', { tags: a.tags.join(', ') }),
      a.slaPolicyId &&
        t('admin.routing.withPolicy', { name: policies.data?.find((p) => p.id === a.slaPolicyId)?.name ?? '…' }),
      (a.requiredSkills?.languages?.length || a.requiredSkills?.subjects?.length) &&
        t('admin.routing.withSkills', {
          skills: [...(a.requiredSkills?.languages ?? []), ...(a.requiredSkills?.subjects ?? [])].join(', '),
        }),
    ].filter((s): s is string => typeof s === 'string');

  const move = (index: number, by: -1 | 1) => {
    const ids = (rules.data ?? []).map((r) => r.id);
    [ids[index], ids[index + by]] = [ids[index + by], ids[index]];
    reorder.mutate(ids);
  };

  return (
    <Section id="admin-routing" title={t('admin.routing.title')}>
      <Group justify="space-between" mb="xs" align="flex-start">
        <Text size="sm" c="dimmed" maw={720}>
          {t('admin.routing.hint')}
        </Text>
        <Button onClick={() => setEditing('new')}>{t('admin.routing.new')}</Button>
      </Group>
      <Reading query={rules} />
      <Refusal error={reorder.error} />
      {rules.data && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-routing" data-testid="admin-routing">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col" w={48}>
                  {t('admin.routing.order')}
                </Table.Th>
                <Table.Th scope="col">{t('admin.routing.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.routing.when')}</Table.Th>
                <Table.Th scope="col">{t('admin.routing.then')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('admin.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed">
                      {t('admin.routing.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {rules.data.map((rule, index) => (
                <Table.Tr key={rule.id} data-rule={rule.id}>
                  <Table.Td>{number.format(index + 1)}</Table.Td>
                  <Table.Th scope="row" fw={500}>
                    {rule.name}
                    {!rule.enabled && (
                      <Badge color="gray.7" ms="xs" size="sm" style={WHOLE}>
                        {t('admin.routing.disabled')}
                      </Badge>
                    )}
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm">
                      {rule.conditions.length === 0
                        ? t('admin.routing.always')
                        : rule.conditions.map(describe).join(t('admin.routing.and'))}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{outcome(rule.actions).join(' · ') || '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <ActionIcon
                        variant="default"
                        aria-label={t('admin.routing.up', { name: rule.name })}
                        disabled={index === 0 || reorder.isPending}
                        onClick={() => move(index, -1)}
                      >
                        <span aria-hidden>↑</span>
                      </ActionIcon>
                      <ActionIcon
                        variant="default"
                        aria-label={t('admin.routing.down', { name: rule.name })}
                        disabled={index === rules.data.length - 1 || reorder.isPending}
                        onClick={() => move(index, 1)}
                      >
                        <span aria-hidden>↓</span>
                      </ActionIcon>
                      <Button variant="subtle" size="compact-sm" onClick={() => setEditing(rule)}>
                        <Named word={t('admin.edit')} what={rule.name} />
                      </Button>
                      <Button {...DANGER} size="compact-sm" onClick={() => (remove.reset(), setDeleting(rule))}>
                        <Named word={t('admin.delete')} what={rule.name} />
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <RuleDialog
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? null : editing}
          departments={departments.data ?? []}
          inboxes={inboxes.data ?? []}
          policies={policies.data ?? []}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDelete
          title={t('admin.routing.deleteTitle', { name: deleting.name })}
          error={remove.error}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </Section>
  );
}

function RuleDialog(props: {
  rule: RoutingRule | null;
  departments: AdminDepartment[];
  inboxes: Inbox[];
  policies: SlaPolicy[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const rule = props.rule;
  const conditions = rule?.conditions ?? [];
  const first = (field: string) => conditions.find((c) => simple(c) && c.field === field)?.values ?? [];
  // Conditions past the first of each simple kind, and of any other kind, stay as the rule has them.
  const kept = conditions.filter((c) => !simple(c) || conditions.find((o) => simple(o) && o.field === c.field) !== c);
  const [draft, setDraft] = useState({
    name: rule?.name ?? '',
    enabled: rule?.enabled ?? true,
    channels: first('channel'),
    inboxIds: first('inbox'),
    keywords: first('keywords').join(', '),
    departmentId: rule?.actions.departmentId ?? ANY,
    priority: rule?.actions.priority ?? ANY,
    tags: (rule?.actions.tags ?? []).join(', '),
    slaPolicyId: rule?.actions.slaPolicyId ?? ANY,
  });
  const set = (changes: Partial<typeof draft>) => setDraft({ ...draft, ...changes });
  const save = useChange(
    () => {
      const keywords = words(draft.keywords);
      const tags = words(draft.tags);
      const body = {
        name: draft.name.trim(),
        enabled: draft.enabled,
        conditions: [
          ...(draft.channels.length ? [{ field: 'channel', op: 'in', values: draft.channels }] : []),
          ...(draft.inboxIds.length ? [{ field: 'inbox', op: 'in', values: draft.inboxIds }] : []),
          ...(keywords.length ? [{ field: 'keywords', op: 'anyOf', values: keywords }] : []),
          ...kept,
        ],
        actions: {
          ...(draft.departmentId !== ANY && { departmentId: draft.departmentId }),
          ...(draft.priority !== ANY && { priority: draft.priority }),
          ...(tags.length && { tags }),
          ...(draft.slaPolicyId !== ANY && { slaPolicyId: draft.slaPolicyId }),
          ...(rule?.actions.requiredSkills && { requiredSkills: rule.actions.requiredSkills }),
        },
      };
      return rule ? api('PATCH', `/routing-rules/${rule.id}`, body) : api('POST', '/routing-rules', body);
    },
    [['routing-rules']],
    props.onClose,
  );
  return (
    <Modal
      opened
      size="lg"
      onClose={props.onClose}
      title={rule ? t('admin.routing.editTitle', { name: rule.name }) : t('admin.routing.newTitle')}
      closeButtonProps={{ 'aria-label': t('admin.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(undefined);
        }}
      >
        <Stack gap="sm">
          <Refusal error={save.error} />
          <TextInput
            label={t('admin.routing.name')}
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            maxLength={200}
            required
          />
          <Switch
            label={t('admin.routing.enabled')}
            checked={draft.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
          <Fieldset legend={t('admin.routing.when')}>
            <Stack gap="xs">
              <Text size="xs" c="dimmed">
                {t('admin.routing.whenHint')}
              </Text>
              <MultiSelect
                label={t('admin.routing.field.channel')}
                data={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
                value={draft.channels}
                onChange={(channels) => set({ channels })}
              />
              <MultiSelect
                label={t('admin.routing.field.inbox')}
                data={props.inboxes.map((i) => ({ value: i.id, label: i.name }))}
                value={draft.inboxIds}
                onChange={(inboxIds) => set({ inboxIds })}
                searchable
              />
              <TextInput
                label={t('admin.routing.field.keywords')}
                description={t('admin.routing.keywordsHint')}
                value={draft.keywords}
                onChange={(e) => set({ keywords: e.currentTarget.value })}
              />
              {kept.length > 0 && (
                <Text size="xs" c="dimmed">
                  {t('admin.routing.kept', { count: kept.length })}
                </Text>
              )}
            </Stack>
          </Fieldset>
          <Fieldset legend={t('admin.routing.then')}>
            <Stack gap="xs">
              <Select
                label={t('admin.routing.department')}
                data={[
                  { value: ANY, label: t('admin.routing.keepDepartment') },
                  ...props.departments.map((d) => ({ value: d.id, label: d.name })),
                ]}
                value={draft.departmentId}
                onChange={(v) => set({ departmentId: v ?? ANY })}
                allowDeselect={false}
                searchable
              />
              <Select
                label={t('admin.routing.priority')}
                data={[
                  { value: ANY, label: t('admin.routing.keepPriority') },
                  ...PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
                ]}
                value={draft.priority}
                onChange={(v) => set({ priority: v ?? ANY })}
                allowDeselect={false}
              />
              <TextInput
                label={t('admin.routing.tags')}
                description={t('admin.routing.tagsHint')}
                value={draft.tags}
                onChange={(e) => set({ tags: e.currentTarget.value })}
              />
              <Select
                label={t('admin.routing.policy')}
                data={[
                  { value: ANY, label: t('admin.routing.matchPolicy') },
                  ...props.policies.map((p) => ({ value: p.id, label: p.name })),
                ]}
                value={draft.slaPolicyId}
                onChange={(v) => set({ slaPolicyId: v ?? ANY })}
                allowDeselect={false}
              />
            </Stack>
          </Fieldset>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('admin.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ConfirmDelete(props: {
  title: string;
  error: Error | null;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={props.onClose} title={props.title} closeButtonProps={{ 'aria-label': t('admin.cancel') }}>
      <Stack gap="sm">
        <Refusal error={props.error} />
        <Text size="sm">{t('admin.deleteHint')}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('admin.cancel')}
          </Button>
          <Button color="red.9" loading={props.busy} onClick={props.onConfirm}>
            {t('admin.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// ─── SLA policies ───────────────────────────────────────────────────────────────────────────────

/** Minutes as the largest whole unit ("2 days", "4 hr", "90 min") in the reader's language. */
function useMinutes(): (minutes: number | null) => string {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const unit = (u: 'minute' | 'hour' | 'day') =>
      new Intl.NumberFormat(i18n.language, { style: 'unit', unit: u, unitDisplay: 'short' });
    const [minute, hour, day] = [unit('minute'), unit('hour'), unit('day')];
    return (m) =>
      m === null ? '—' : m % 1440 === 0 ? day.format(m / 1440) : m % 60 === 0 ? hour.format(m / 60) : minute.format(m);
  }, [i18n.language]);
}

function SlaTab() {
  const { t, i18n } = useTranslation();
  const policies = useSlaPolicies();
  const departments = useDepartments();
  const minutes = useMinutes();
  const percent = useMemo(
    () => new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 }),
    [i18n.language],
  );
  const [editing, setEditing] = useState<SlaPolicy | 'new' | null>(null);
  const [deleting, setDeleting] = useState<SlaPolicy | null>(null);
  const remove = useChange(
    (id: string) => api('DELETE', `/sla-policies/${id}`),
    [['sla-policies']],
    () => setDeleting(null),
  );
  const departmentName = (id: string | null) =>
    id === null ? t('admin.sla.anyDepartment') : (departments.data?.find((d) => d.id === id)?.name ?? '…');

  return (
    <Section id="admin-sla" title={t('admin.sla.title')}>
      <Group justify="space-between" mb="xs" align="flex-start">
        <Text size="sm" c="dimmed" maw={720}>
          {t('admin.sla.hint')}
        </Text>
        <Button onClick={() => setEditing('new')}>{t('admin.sla.new')}</Button>
      </Group>
      <Reading query={policies} />
      {policies.data && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-sla" data-testid="admin-sla">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.sla.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.department')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.priority')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.channel')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.firstResponse')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.nextResponse')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.resolution')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.clock')}</Table.Th>
                <Table.Th scope="col">{t('admin.sla.warnAt')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('admin.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {policies.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={10}>
                    <Text size="sm" c="dimmed">
                      {t('admin.sla.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {policies.data.map((p) => (
                <Table.Tr key={p.id} data-policy={p.id}>
                  <Table.Th scope="row" fw={500}>
                    {p.name}
                  </Table.Th>
                  <Table.Td>{departmentName(p.departmentId)}</Table.Td>
                  <Table.Td>{p.priority ? t(`priority.${p.priority}`) : t('admin.sla.any')}</Table.Td>
                  <Table.Td>{p.channel ? t(`channel.${p.channel}`) : t('admin.sla.any')}</Table.Td>
                  <Table.Td>{minutes(p.firstResponseMinutes)}</Table.Td>
                  <Table.Td>{minutes(p.nextResponseMinutes)}</Table.Td>
                  <Table.Td>{minutes(p.resolutionMinutes)}</Table.Td>
                  <Table.Td>{p.businessHours ? t('admin.sla.businessHours') : t('admin.sla.allHours')}</Table.Td>
                  <Table.Td>{percent.format(p.warnAt)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Button variant="subtle" size="compact-sm" onClick={() => setEditing(p)}>
                        <Named word={t('admin.edit')} what={p.name} />
                      </Button>
                      <Button {...DANGER} size="compact-sm" onClick={() => (remove.reset(), setDeleting(p))}>
                        <Named word={t('admin.delete')} what={p.name} />
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <PolicyDialog
          key={editing === 'new' ? 'new' : editing.id}
          policy={editing === 'new' ? null : editing}
          departments={departments.data ?? []}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDelete
          title={t('admin.sla.deleteTitle', { name: deleting.name })}
          error={remove.error}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </Section>
  );
}

function PolicyDialog(props: { policy: SlaPolicy | null; departments: AdminDepartment[]; onClose: () => void }) {
  const { t } = useTranslation();
  const p = props.policy;
  const [draft, setDraft] = useState({
    name: p?.name ?? '',
    departmentId: p?.departmentId ?? ANY,
    priority: p?.priority ?? ANY,
    channel: p?.channel ?? ANY,
    firstResponse: (p?.firstResponseMinutes ?? '') as number | string,
    nextResponse: (p?.nextResponseMinutes ?? '') as number | string,
    resolution: (p?.resolutionMinutes ?? '') as number | string,
    businessHours: p?.businessHours ?? true,
    warnAtPercent: Math.round((p?.warnAt ?? 0.8) * 100) as number | string,
  });
  const set = (changes: Partial<typeof draft>) => setDraft({ ...draft, ...changes });
  const target = (v: number | string) => (v === '' ? null : Number(v));
  const save = useChange(
    () => {
      const body = {
        name: draft.name.trim(),
        departmentId: draft.departmentId === ANY ? null : draft.departmentId,
        priority: draft.priority === ANY ? null : draft.priority,
        channel: draft.channel === ANY ? null : draft.channel,
        firstResponseMinutes: target(draft.firstResponse),
        nextResponseMinutes: target(draft.nextResponse),
        resolutionMinutes: target(draft.resolution),
        businessHours: draft.businessHours,
        warnAt: Number(draft.warnAtPercent) / 100,
      };
      return p ? api('PATCH', `/sla-policies/${p.id}`, body) : api('POST', '/sla-policies', body);
    },
    [['sla-policies']],
    props.onClose,
  );
  const minutesInput = (label: string, key: 'firstResponse' | 'nextResponse' | 'resolution') => (
    <NumberInput
      label={label}
      value={draft[key]}
      onChange={(v) => set({ [key]: v })}
      min={1}
      max={525_600}
      allowDecimal={false}
      allowNegative={false}
    />
  );
  return (
    <Modal
      opened
      size="lg"
      onClose={props.onClose}
      title={p ? t('admin.sla.editTitle', { name: p.name }) : t('admin.sla.newTitle')}
      closeButtonProps={{ 'aria-label': t('admin.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(undefined);
        }}
      >
        <Stack gap="sm">
          <Refusal error={save.error} />
          <TextInput
            label={t('admin.sla.name')}
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            maxLength={200}
            required
          />
          <Fieldset legend={t('admin.sla.appliesTo')}>
            <Stack gap="xs">
              <Select
                label={t('admin.sla.department')}
                data={[
                  { value: ANY, label: t('admin.sla.anyDepartment') },
                  ...props.departments.map((d) => ({ value: d.id, label: d.name })),
                ]}
                value={draft.departmentId}
                onChange={(v) => set({ departmentId: v ?? ANY })}
                allowDeselect={false}
                searchable
              />
              <Group grow align="flex-start">
                <Select
                  label={t('admin.sla.priority')}
                  data={[
                    { value: ANY, label: t('admin.sla.any') },
                    ...PRIORITIES.map((v) => ({ value: v, label: t(`priority.${v}`) })),
                  ]}
                  value={draft.priority}
                  onChange={(v) => set({ priority: v ?? ANY })}
                  allowDeselect={false}
                />
                <Select
                  label={t('admin.sla.channel')}
                  data={[
                    { value: ANY, label: t('admin.sla.any') },
                    ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) })),
                  ]}
                  value={draft.channel}
                  onChange={(v) => set({ channel: v ?? ANY })}
                  allowDeselect={false}
                />
              </Group>
            </Stack>
          </Fieldset>
          <Fieldset legend={t('admin.sla.targets')}>
            <Stack gap="xs">
              <Text size="xs" c="dimmed">
                {t('admin.sla.targetsHint')}
              </Text>
              <Group grow align="flex-start">
                {minutesInput(t('admin.sla.firstResponseMinutes'), 'firstResponse')}
                {minutesInput(t('admin.sla.nextResponseMinutes'), 'nextResponse')}
                {minutesInput(t('admin.sla.resolutionMinutes'), 'resolution')}
              </Group>
              <Switch
                label={t('admin.sla.businessHoursSwitch')}
                description={t('admin.sla.businessHoursHint')}
                checked={draft.businessHours}
                onChange={(e) => set({ businessHours: e.currentTarget.checked })}
              />
              <NumberInput
                label={t('admin.sla.warnAtLabel')}
                description={t('admin.sla.warnAtHint')}
                value={draft.warnAtPercent}
                onChange={(v) => set({ warnAtPercent: v })}
                min={1}
                max={99}
                allowDecimal={false}
                allowNegative={false}
                w={240}
                required
              />
            </Stack>
          </Fieldset>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('admin.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ─── Canned replies ─────────────────────────────────────────────────────────────────────────────

const tag = (name: string) => `{{${name}}}`;

/**
 * The replies the caller may use: library-wide ones and their departments' (the composer's list, read
 * again here). Administrators manage any; supervisors their departments' (library-wide ones they only read).
 */
function CannedTab({ me }: { me: Agent }) {
  const { t } = useTranslation();
  const administers = me.role === 'administrator';
  const replies = useQuery({
    ...FRESH,
    queryKey: ['canned-replies'],
    queryFn: () => api<CannedReply[]>('GET', '/canned-replies'),
  });
  const departments = useDepartments();
  // The departments a supervisor works in come with the staff list (GET /auth/me does not name them).
  const accounts = useAccounts(!administers);
  const own = accounts.data?.find((a) => a.id === me.id)?.departmentIds;
  const manageable = administers
    ? (departments.data ?? [])
    : (departments.data ?? []).filter((d) => own?.includes(d.id));
  const manages = (r: CannedReply) => administers || (r.departmentId !== null && (own ?? []).includes(r.departmentId));
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const remove = useChange(
    (id: string) => api('DELETE', `/canned-replies/${id}`),
    [['canned-replies']],
    () => setDeleting(null),
  );
  const scope = (id: string | null) =>
    id === null ? t('admin.canned.wholeLibrary') : (departments.data?.find((d) => d.id === id)?.name ?? '…');

  return (
    <Section id="admin-canned" title={t('admin.canned.title')}>
      <Group justify="space-between" mb="xs" align="flex-start">
        <Text size="sm" c="dimmed" maw={720}>
          {administers ? t('admin.canned.hint') : t('admin.canned.supervisorHint')}
        </Text>
        <Button onClick={() => setEditing('new')} disabled={!departments.data || (!administers && !own?.length)}>
          {t('admin.canned.new')}
        </Button>
      </Group>
      <Reading query={replies} />
      {!administers && <Reading query={accounts} />}
      {replies.data && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs" aria-labelledby="admin-canned" data-testid="admin-canned">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin.canned.name')}</Table.Th>
                <Table.Th scope="col">{t('admin.canned.shortcut')}</Table.Th>
                <Table.Th scope="col">{t('admin.canned.scope')}</Table.Th>
                <Table.Th scope="col">{t('admin.canned.text')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('admin.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {replies.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed">
                      {t('admin.canned.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {replies.data.map((r) => (
                <Table.Tr key={r.id} data-reply={r.id}>
                  <Table.Th scope="row" fw={500}>
                    {r.title}
                  </Table.Th>
                  <Table.Td>{r.shortcut ? <code dir="ltr">{r.shortcut}</code> : '—'}</Table.Td>
                  <Table.Td>{scope(r.departmentId)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2} maw={420} dir="auto" style={{ whiteSpace: 'pre-line' }}>
                      {r.text}
                    </Text>
                    {r.unknownPlaceholders.length > 0 && (
                      <Text size="xs" c="red.9">
                        {t('admin.canned.unknown', { tags: isolated(r.unknownPlaceholders.map(tag).join(', ')) })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {manages(r) ? (
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        <Button variant="subtle" size="compact-sm" onClick={() => setEditing(r)}>
                          <Named word={t('admin.edit')} what={r.title} />
                        </Button>
                        <Button {...DANGER} size="compact-sm" onClick={() => (remove.reset(), setDeleting(r))}>
                          <Named word={t('admin.delete')} what={r.title} />
                        </Button>
                      </Group>
                    ) : (
                      <Text size="xs" c="dimmed" ta="end">
                        {t('admin.canned.byAdministrators')}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <CannedDialog
          key={editing === 'new' ? 'new' : editing.id}
          reply={editing === 'new' ? null : editing}
          departments={manageable}
          libraryWide={administers}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDelete
          title={t('admin.canned.deleteTitle', { name: deleting.title })}
          error={remove.error}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </Section>
  );
}

function CannedDialog(props: {
  reply: CannedReply | null;
  /** The departments the caller may give it to. */
  departments: AdminDepartment[];
  /** Whether it may be for the whole library (administrators only). */
  libraryWide: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const r = props.reply;
  const [draft, setDraft] = useState({
    title: r?.title ?? '',
    shortcut: r?.shortcut ?? '',
    departmentId: r ? (r.departmentId ?? ANY) : props.libraryWide ? ANY : (props.departments[0]?.id ?? null),
    text: r?.text ?? '',
  });
  const set = (changes: Partial<typeof draft>) => setDraft({ ...draft, ...changes });
  const body = useRef<HTMLTextAreaElement>(null);
  /** A placeholder into the text where the cursor is (or at its end). */
  const insert = (name: string) => {
    const area = body.current;
    const [from, to] = area ? [area.selectionStart, area.selectionEnd] : [draft.text.length, draft.text.length];
    const text = draft.text.slice(0, from) + tag(name) + draft.text.slice(to);
    set({ text });
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(from + tag(name).length, from + tag(name).length);
    });
  };
  const save = useChange(
    () => {
      const changes = {
        title: draft.title.trim(),
        text: draft.text,
        shortcut: draft.shortcut.trim() || null,
        departmentId: draft.departmentId === ANY ? null : draft.departmentId,
      };
      return r ? api('PATCH', `/canned-replies/${r.id}`, changes) : api('POST', '/canned-replies', changes);
    },
    [['canned-replies']],
    props.onClose,
  );
  return (
    <Modal
      opened
      size="xl"
      onClose={props.onClose}
      title={r ? t('admin.canned.editTitle', { name: r.title }) : t('admin.canned.newTitle')}
      closeButtonProps={{ 'aria-label': t('admin.cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(undefined);
        }}
      >
        <Stack gap="sm">
          <Refusal error={save.error} />
          <Group grow align="flex-start">
            <TextInput
              label={t('admin.canned.name')}
              value={draft.title}
              onChange={(e) => set({ title: e.currentTarget.value })}
              maxLength={120}
              required
            />
            <TextInput
              label={t('admin.canned.shortcut')}
              description={t('admin.canned.shortcutHint')}
              value={draft.shortcut}
              onChange={(e) => set({ shortcut: e.currentTarget.value })}
              maxLength={64}
              dir="ltr"
            />
          </Group>
          <Select
            label={t('admin.canned.scope')}
            description={props.libraryWide ? undefined : t('admin.canned.scopeHint')}
            data={[
              ...(props.libraryWide ? [{ value: ANY, label: t('admin.canned.wholeLibrary') }] : []),
              ...props.departments.map((d) => ({ value: d.id, label: d.name })),
            ]}
            value={draft.departmentId}
            onChange={(v) => set({ departmentId: v ?? draft.departmentId })}
            allowDeselect={false}
            searchable
            required
          />
          <Grid gap="md">
            <Grid.Col span={{ base: 12, sm: 7 }}>
              <Textarea
                ref={body}
                label={t('admin.canned.text')}
                description={t('admin.canned.textHint')}
                value={draft.text}
                onChange={(e) => set({ text: e.currentTarget.value })}
                maxLength={10_000}
                autosize
                minRows={8}
                maxRows={16}
                required
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 5 }}>
              <Paper withBorder p="sm" role="group" aria-labelledby="admin-canned-placeholders">
                <Text fw={500} size="sm" id="admin-canned-placeholders">
                  {t('admin.canned.placeholders')}
                </Text>
                <Text size="xs" c="dimmed" mb="xs">
                  {t('admin.canned.placeholdersHint')}
                </Text>
                <Stack gap={6}>
                  {PLACEHOLDERS.map((name) => (
                    <div key={name}>
                      <Button
                        variant="default"
                        size="compact-xs"
                        ff="monospace"
                        dir="ltr"
                        aria-label={t('admin.canned.insert', { placeholder: tag(name) })}
                        onClick={() => insert(name)}
                      >
                        {tag(name)}
                      </Button>
                      <Text size="xs" ps={6}>
                        {t(`admin.canned.placeholder.${name}`)}
                      </Text>
                    </div>
                  ))}
                </Stack>
              </Paper>
            </Grid.Col>
          </Grid>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('admin.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
