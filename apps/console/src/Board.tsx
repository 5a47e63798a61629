// The supervisor board: today's figures per department × channel, what waits now and who holds
// what, from GET /queue-stats. The socket's `queue-stats.changed` invalidates ['queue-stats'] (live.ts),
// so the board reads again when something moved and never polls; waits and times in a state tick here.
import '@mantine/charts/styles.css';
import { useMemo, useState, type ReactNode } from 'react';
import { Alert, Anchor, Badge, Card, Grid, Group, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { BarChart, LineChart } from '@mantine/charts';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  BREACH_LIST_LIMIT,
  CHANNELS,
  PRESENCES,
  type AgentLoad,
  type BreachRow,
  type HourFigures,
  type Presence,
  type QueueStatsReport,
} from '@readerdesk/contracts';
import { api, type Department } from './api';
import { useNow } from './util';

const PRESENCE_COLOR: Record<Presence, string> = {
  available: 'teal.9',
  busy: 'red.9',
  away: 'grape.9',
  offline: 'gray.7',
};
type QueueStats = QueueStatsReport;
type Figures = QueueStatsReport['totals'];

const ALL = 'all';
const statsOf = (departmentId: string | null) =>
  api<QueueStats>('GET', departmentId ? `/queue-stats?departmentId=${departmentId}` : '/queue-stats');

type Duration = (ms: number, precise?: boolean) => string;

/** "4 min", "1 hr, 5 min" in the reader's language: Intl unit numbers joined as a unit list. */
function durations(language: string): Duration {
  const unit = (u: 'second' | 'minute' | 'hour' | 'day') =>
    new Intl.NumberFormat(language, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 0 });
  const [second, minute, hour, day] = [unit('second'), unit('minute'), unit('hour'), unit('day')];
  const list = new Intl.ListFormat(language, { type: 'unit', style: 'narrow' });
  return (ms, precise = false) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return second.format(s);
    const m = Math.floor(s / 60);
    if (m < 60)
      return precise && m < 10 && s % 60 ? list.format([minute.format(m), second.format(s % 60)]) : minute.format(m);
    const h = Math.floor(m / 60);
    if (h < 24) return m % 60 ? list.format([hour.format(h), minute.format(m % 60)]) : hour.format(h);
    const d = Math.floor(h / 24);
    return h % 24 ? list.format([day.format(d), hour.format(h % 24)]) : day.format(d);
  };
}

export function Board() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<string>(ALL);
  // The whole view stays cached while one department is shown (disabled, it is not read again):
  // its list of departments is the choice the filter offers, which the API decides per role.
  const all = useQuery({ queryKey: ['queue-stats', ALL], queryFn: () => statsOf(null), enabled: filter === ALL });
  const one = useQuery({
    queryKey: ['queue-stats', 'department', filter],
    queryFn: () => statsOf(filter),
    enabled: filter !== ALL,
  });
  const stats = filter === ALL ? all : one;
  const departments = useQuery({ queryKey: ['departments'], queryFn: () => api<Department[]>('GET', '/departments') });
  const now = useNow(1000);
  const language = i18n.language;
  const duration = useMemo(() => durations(language), [language]);
  const number = useMemo(() => new Intl.NumberFormat(language), [language]);
  const percent = useMemo(
    () => new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }),
    [language],
  );
  const clock = useMemo(() => new Intl.DateTimeFormat(language, { timeStyle: 'medium' }), [language]);

  const nameOf = (id: string | null): string =>
    id === null ? t('board.triage') : (departments.data?.find((d) => d.id === id)?.name ?? '…');
  const options = [
    { value: ALL, label: t('board.department.all') },
    ...(all.data?.departments ?? []).map((d) => ({ value: d.departmentId, label: nameOf(d.departmentId) })),
  ];
  const data = stats.data;
  // Waits grow between two reads: count on from when this answer arrived, by this browser's clock.
  const elapsed = data ? Math.max(0, now - stats.dataUpdatedAt) : 0;

  /** One row of figures (the totals), or a tile's two big figures over label-and-value lines. */
  const figures = (f: Figures, tile = false) => {
    const sl = f.serviceLevel;
    return (
      <dl
        style={{
          display: 'grid',
          gridTemplateColumns: tile ? '1fr 1fr' : 'repeat(auto-fill, minmax(112px, 1fr))',
          gap: tile ? '4px 16px' : '8px 16px',
          margin: 0,
        }}
      >
        <Figure label={t('board.waiting')} big testId="waiting">
          {number.format(f.waiting)}
        </Figure>
        <Figure label={t('board.longestWait')} big>
          {f.longestWaitMs === null ? '—' : duration(f.longestWaitMs + elapsed, true)}
        </Figure>
        <Figure inline={tile} label={t('board.breached')}>
          <Text span inherit c={f.breached > 0 ? 'red.9' : undefined} fw={f.breached > 0 ? 700 : undefined}>
            {number.format(f.breached)}
          </Text>
        </Figure>
        <Figure inline={tile} label={t('board.serviceLevel')}>
          <Text span inherit c={sl !== null && sl < 80 ? 'red.9' : undefined}>
            {sl === null ? '—' : percent.format(sl / 100)}
          </Text>
        </Figure>
        <Figure inline={tile} label={t('board.abandoned')}>
          {number.format(f.abandoned)}
        </Figure>
        <Figure inline={tile} label={t('board.opened')}>
          {number.format(f.opened)}
        </Figure>
        <Figure inline={tile} label={t('board.answered')}>
          {number.format(f.answered)}
        </Figure>
        <Figure inline={tile} label={t('board.resolved')}>
          {number.format(f.resolved)}
        </Figure>
        <Figure inline={tile} label={t('board.firstResponse')} wide>
          {f.firstResponseMs.p50 === null
            ? '—'
            : `${duration(f.firstResponseMs.p50)} / ${duration(f.firstResponseMs.p90 ?? f.firstResponseMs.p50)}`}
        </Figure>
      </dl>
    );
  };

  return (
    <Stack p="md" gap="lg" data-testid="board">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2} size="h3">
            {t('board.title')}
          </Title>
          {data && (
            <Text size="sm" c="dimmed">
              {t('board.updated', { timeZone: data.timeZone, time: clock.format(new Date(data.generatedAt)) })}
            </Text>
          )}
        </div>
        <Select
          label={t('board.department')}
          data={options}
          value={filter}
          allowDeselect={false}
          onChange={(value) => setFilter(value ?? ALL)}
          w={240}
        />
      </Group>

      {stats.isError && (
        <Alert color="red" role="alert">
          {stats.error.message}
        </Alert>
      )}
      {stats.isPending && <Text c="dimmed">{t('board.loading')}</Text>}

      {data && (
        <>
          <Card withBorder padding="sm" component="article" aria-label={t('board.totals')} data-testid="totals">
            <Title order={3} size="h5" mb="xs">
              {t('board.totals')}
            </Title>
            {figures(data.totals)}
          </Card>

          <section aria-labelledby="board-queues">
            <Title order={3} size="h5" id="board-queues" mb="xs">
              {t('board.queues')}
            </Title>
            {data.queues.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('board.empty')}
              </Text>
            ) : (
              <SimpleGrid minColWidth={280} spacing="md">
                {data.queues.map((q) => {
                  const channel = t(`channel.${q.channel}`);
                  return (
                    <Card
                      key={`${q.departmentId ?? 'triage'}:${q.channel}`}
                      withBorder
                      padding="sm"
                      component="article"
                      aria-label={t('board.queue', { department: nameOf(q.departmentId), channel })}
                      data-queue={`${q.departmentId ?? 'triage'}:${q.channel}`}
                    >
                      <Group justify="space-between" wrap="nowrap" mb="xs" gap="xs">
                        <Title order={4} size="h6" lineClamp={1}>
                          {nameOf(q.departmentId)}
                        </Title>
                        <Badge variant="outline" color="blue.8">
                          {channel}
                        </Badge>
                      </Group>
                      {figures(q, true)}
                    </Card>
                  );
                })}
              </SimpleGrid>
            )}
          </section>

          <Breaches rows={data.breaches} nameOf={nameOf} since={(at) => duration(now - Date.parse(at), true)} />

          <Hours hours={data.hours} language={language} />

          <Grid gap="lg">
            <Grid.Col component="section" aria-labelledby="board-agents" span={{ base: 12, lg: 8 }}>
              <Title order={3} size="h5" id="board-agents" mb="xs">
                {t('board.agents')}
              </Title>
              <Table.ScrollContainer minWidth={560}>
                <Table captionSide="top" striped verticalSpacing="xs" data-testid="board-agents">
                  <Table.Caption style={{ textAlign: 'start' }}>{t('board.agents.caption')}</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('board.agents.name')}</Table.Th>
                      <Table.Th scope="col">{t('board.agents.presence')}</Table.Th>
                      <Table.Th scope="col">{t('board.agents.since')}</Table.Th>
                      <Table.Th scope="col">{t('board.agents.load')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.agents.length === 0 && (
                      <Table.Tr>
                        <Table.Td colSpan={4}>
                          <Text size="sm" c="dimmed">
                            {t('board.agents.none')}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    )}
                    {[...data.agents]
                      .sort(
                        (a, b) =>
                          PRESENCES.indexOf(a.presence) - PRESENCES.indexOf(b.presence) ||
                          a.displayName.localeCompare(b.displayName, language),
                      )
                      .map((agent) => (
                        <Table.Tr key={agent.agentId}>
                          <Table.Th scope="row" fw={500}>
                            {agent.displayName}
                          </Table.Th>
                          <Table.Td>
                            <Badge color={PRESENCE_COLOR[agent.presence]}>{t(`presence.${agent.presence}`)}</Badge>
                          </Table.Td>
                          <Table.Td>
                            {agent.presenceChangedAt ? duration(now - Date.parse(agent.presenceChangedAt), true) : '—'}
                          </Table.Td>
                          <Table.Td>
                            <LoadCell agent={agent} format={(n) => number.format(n)} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Grid.Col>
            <Grid.Col component="section" aria-labelledby="board-staffing" span={{ base: 12, lg: 4 }}>
              <Title order={3} size="h5" id="board-staffing" mb="xs">
                {t('board.staffing')}
              </Title>
              <Table captionSide="top" verticalSpacing="xs" data-testid="board-staffing">
                <Table.Caption style={{ textAlign: 'start' }}>{t('board.staffing.caption')}</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('board.department')}</Table.Th>
                    {PRESENCES.map((p) => (
                      <Table.Th key={p} scope="col" style={{ textAlign: 'end' }}>
                        {t(`presence.${p}`)}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.departments.map((d) => (
                    <Table.Tr key={d.departmentId}>
                      <Table.Th scope="row" fw={500}>
                        {nameOf(d.departmentId)}
                      </Table.Th>
                      {PRESENCES.map((p) => (
                        <Table.Td key={p} style={{ textAlign: 'end' }}>
                          {number.format(d.agents[p])}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Grid.Col>
          </Grid>
        </>
      )}
    </Stack>
  );
}

function Figure({
  label,
  children,
  big = false,
  wide = false,
  inline = false,
  testId,
}: {
  label: string;
  children: ReactNode;
  big?: boolean;
  wide?: boolean;
  /** The label at the start and the value at the end of one line. */
  inline?: boolean;
  testId?: string;
}) {
  return (
    <div
      style={{
        ...(wide && { gridColumn: 'span 2' }),
        ...(inline && { display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: 8 }),
      }}
    >
      <Text component="dt" size="xs" c="dimmed">
        {label}
      </Text>
      <Text
        component="dd"
        m={0}
        size={big ? 'xl' : 'sm'}
        fw={big ? 700 : 500}
        style={inline ? { whiteSpace: 'nowrap' } : undefined}
        data-testid={testId}
      >
        {children}
      </Text>
    </div>
  );
}

/** What an agent holds per channel against their capacity there ("Chat 2 / 3"); red when full. */
function LoadCell({ agent, format }: { agent: AgentLoad; format: (n: number) => string }) {
  const { t } = useTranslation();
  const held = CHANNELS.filter((c) => (agent.load[c] ?? 0) > 0);
  if (held.length === 0) return <Text size="sm">—</Text>;
  return (
    <Group gap={4}>
      {held.map((c) => {
        const load = agent.load[c] ?? 0;
        const capacity = agent.capacity[c];
        return (
          <Badge key={c} variant="outline" color={capacity !== undefined && load >= capacity ? 'red.9' : 'blue.8'}>
            {t(`channel.${c}`)} {format(load)}
            {capacity !== undefined && ` / ${format(capacity)}`}
          </Badge>
        );
      })}
    </Group>
  );
}

/** The open conversations past an SLA target, each a link to it (`#/c/<id>`), and how long they have been. */
function Breaches({
  rows,
  nameOf,
  since,
}: {
  rows: BreachRow[];
  nameOf: (departmentId: string | null) => string;
  since: (at: string) => string;
}) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <section aria-labelledby="board-breaches">
      <Title order={3} size="h5" id="board-breaches" mb="xs">
        {t('board.breaches')}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="board-breaches-none">
          {t('board.breaches.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table captionSide="top" verticalSpacing="xs" data-testid="board-breaches">
            <Table.Caption style={{ textAlign: 'start' }}>
              {t('board.breaches.caption')}
              {rows.length >= BREACH_LIST_LIMIT && ` ${t('board.breaches.more', { count: BREACH_LIST_LIMIT })}`}
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('board.breaches.conversation')}</Table.Th>
                <Table.Th scope="col">{t('board.department')}</Table.Th>
                <Table.Th scope="col">{t('board.breaches.target')}</Table.Th>
                <Table.Th scope="col">{t('board.breaches.since')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.conversationId} data-conversation={row.conversationId}>
                  <Table.Th scope="row" fw={500}>
                    <Anchor href={`#/c/${row.conversationId}`} size="sm">
                      #{number.format(row.number)} <bdi>{row.subject ?? t('conversation.noSubject')}</bdi>
                    </Anchor>
                  </Table.Th>
                  <Table.Td>
                    {nameOf(row.departmentId)} · {t(`channel.${row.channel}`)}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {row.targets.map((target) => (
                        <Badge key={target} color="red" variant="light" c="red.9">
                          {t(`board.target.${target}`)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{since(row.breachedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

/**
 * Today's hours in two charts (recharts through @mantine/charts): contacts received and answered,
 * and the median first response. An SVG chart says little to a screen reader, so the same figures
 * follow as a table in a disclosure.
 */
function Hours({ hours, language }: { hours: HourFigures[]; language: string }) {
  const { t } = useTranslation();
  const hourLabel = useMemo(() => {
    const format = new Intl.DateTimeFormat(language, { hour: 'numeric', timeZone: 'UTC' });
    return (hour: number) => format.format(new Date(Date.UTC(2000, 0, 1, hour)));
  }, [language]);
  const minutes = useMemo(() => new Intl.NumberFormat(language, { maximumFractionDigits: 1 }), [language]);
  const number = useMemo(() => new Intl.NumberFormat(language), [language]);
  const opened = t('board.opened');
  const answered = t('board.answered');
  const median = t('board.chart.minutes');
  const data = hours.map((h) => ({
    hour: hourLabel(h.hour),
    [opened]: h.opened,
    [answered]: h.answered,
    [median]: h.firstResponseMs.p50 === null ? null : Math.round(h.firstResponseMs.p50 / 6000) / 10,
  }));
  return (
    <section aria-labelledby="board-hours" data-testid="board-hours">
      <Title order={3} size="h5" id="board-hours" mb="xs">
        {t('board.charts')}
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Card withBorder padding="sm" component="figure" m={0}>
          <Text component="figcaption" size="sm" fw={500} mb="xs">
            {t('board.chart.volume')}
          </Text>
          <BarChart
            h={180}
            data={data}
            dataKey="hour"
            withLegend
            series={[
              { name: opened, color: 'blue.8' },
              { name: answered, color: 'teal.9' },
            ]}
            valueFormatter={(v) => number.format(v)}
          />
        </Card>
        <Card withBorder padding="sm" component="figure" m={0}>
          <Text component="figcaption" size="sm" fw={500} mb="xs">
            {t('board.chart.firstResponse')}
          </Text>
          <LineChart
            h={180}
            data={data}
            dataKey="hour"
            connectNulls={false}
            series={[{ name: median, color: 'grape.9' }]}
            valueFormatter={(v) => minutes.format(v)}
          />
        </Card>
      </SimpleGrid>
      <details>
        <summary>
          <Text span size="sm">
            {t('board.chart.asTable')}
          </Text>
        </summary>
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={2} data-testid="board-hours-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('board.chart.hour')}</Table.Th>
                <Table.Th scope="col">{opened}</Table.Th>
                <Table.Th scope="col">{answered}</Table.Th>
                <Table.Th scope="col">{t('board.chart.firstResponse')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {hours.map((h) => (
                <Table.Tr key={h.hour} data-hour={h.hour}>
                  <Table.Th scope="row" fw={400}>
                    {hourLabel(h.hour)}
                  </Table.Th>
                  <Table.Td>{number.format(h.opened)}</Table.Td>
                  <Table.Td>{number.format(h.answered)}</Table.Td>
                  <Table.Td>
                    {h.firstResponseMs.p50 === null ? '—' : minutes.format(h.firstResponseMs.p50 / 60000)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </details>
    </section>
  );
}
