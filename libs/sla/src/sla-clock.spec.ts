import { BusinessCalendar, WEEKDAYS } from '@readerdesk/calendars';
import { applyEvent, emptyState, type SlaClockState, type SlaTargetsMs, withInstants } from './sla-clock';
import { mostSpecific } from './sla-policy.service';
import type { SlaPolicy } from './sla-policy.entity';

const MIN = 60_000;
const weekdays = new BusinessCalendar({
  timeZone: 'Europe/London',
  weekly: WEEKDAYS.filter((d) => d !== 'saturday' && d !== 'sunday').map((day) => ({
    day,
    start: '09:00',
    end: '17:00',
  })),
  holidays: [],
  closures: [],
});
const always = BusinessCalendar.alwaysOpen();
const targets = (firstResponse: number | null, resolution: number | null = null): SlaTargetsMs => ({
  firstResponse: firstResponse === null ? null : firstResponse * MIN,
  nextResponse: 30 * MIN,
  resolution: resolution === null ? null : resolution * MIN,
  warnAt: 0.8,
});

function run(events: Array<[Parameters<typeof applyEvent>[1], string]>, calendar: BusinessCalendar): SlaClockState {
  let state = emptyState();
  for (const [event, at] of events) state = applyEvent(state, event, calendar, new Date(at)).state;
  return state;
}

describe('SLA clocks', () => {
  it('24/7: due after the target, warned at 80 %', () => {
    const state = run([[{ kind: 'opened', running: true }, '2026-12-04T16:30:00Z']], always);
    const first = withInstants(state, targets(60), always).clocks.firstResponse!;
    expect(first.dueAt).toBe('2026-12-04T17:30:00.000Z');
    expect(first.warnAt).toBe('2026-12-04T17:18:00.000Z');
  });

  it('business hours: created Friday 16:30 with a 60-minute target is due Monday 09:30 (a pause over the weekend)', () => {
    const state = run([[{ kind: 'opened', running: true }, '2026-12-04T16:30:00Z']], weekdays);
    const first = withInstants(state, targets(60), weekdays).clocks.firstResponse!;
    expect(first.dueAt).toBe('2026-12-07T09:30:00.000Z');
    // 80 % = 48 minutes: 30 on Friday, 18 on Monday.
    expect(first.warnAt).toBe('2026-12-07T09:18:00.000Z');
  });

  it('pending pauses every clock; on resume the remaining time is added from then', () => {
    const state = run(
      [
        [{ kind: 'opened', running: true }, '2026-12-07T10:00:00Z'],
        [{ kind: 'paused' }, '2026-12-07T10:20:00Z'],
      ],
      weekdays,
    );
    const paused = withInstants(state, targets(60, 120), weekdays);
    expect(paused.clocks.firstResponse).toMatchObject({ consumedMs: 20 * MIN, runningSince: null, dueAt: null });
    const resumed = withInstants(
      applyEvent(state, { kind: 'resumed' }, weekdays, new Date('2026-12-08T16:00:00Z')).state,
      targets(60, 120),
      weekdays,
    );
    // 40 minutes left at Tuesday 16:00: due 16:40; resolution 100 left: 60 on Tuesday, 40 on Wednesday.
    expect(resumed.clocks.firstResponse!.dueAt).toBe('2026-12-08T16:40:00.000Z');
    expect(resumed.clocks.resolution!.dueAt).toBe('2026-12-09T09:40:00.000Z');
  });

  it('snoozed pauses like pending; time outside opening hours never counts', () => {
    const state = run(
      [
        [{ kind: 'opened', running: true }, '2026-12-04T16:50:00Z'],
        [{ kind: 'paused' }, '2026-12-05T12:00:00Z'],
      ],
      weekdays,
    );
    expect(state.clocks.firstResponse!.consumedMs).toBe(10 * MIN);
  });

  it('a staff reply stops first response with its business time; a later reader message starts next response', () => {
    let state = run([[{ kind: 'opened', running: true }, '2026-12-04T16:30:00Z']], weekdays);
    const replied = applyEvent(state, { kind: 'staff-replied' }, weekdays, new Date('2026-12-07T09:15:00Z'));
    expect(replied.stopped.firstResponse).toBe(45 * MIN);
    state = applyEvent(
      replied.state,
      { kind: 'reader-wrote', running: true },
      weekdays,
      new Date('2026-12-07T10:00:00Z'),
    ).state;
    expect(withInstants(state, targets(60), weekdays).clocks.nextResponse!.dueAt).toBe('2026-12-07T10:30:00.000Z');
    state = applyEvent(state, { kind: 'staff-replied' }, weekdays, new Date('2026-12-07T10:10:00Z')).state;
    expect(state.clocks.nextResponse).toBeUndefined();
  });

  it('a reader writing before any answer starts no next-response clock', () => {
    const state = run(
      [
        [{ kind: 'opened', running: true }, '2026-12-07T10:00:00Z'],
        [{ kind: 'reader-wrote', running: true }, '2026-12-07T10:05:00Z'],
      ],
      weekdays,
    );
    expect(state.clocks.nextResponse).toBeUndefined();
  });

  it('resolving stops resolution with its time; reopening resumes from what was left', () => {
    const state = run([[{ kind: 'opened', running: true }, '2026-12-07T10:00:00Z']], weekdays);
    const resolved = applyEvent(state, { kind: 'resolved' }, weekdays, new Date('2026-12-07T11:00:00Z'));
    expect(resolved.stopped.resolution).toBe(60 * MIN);
    expect(resolved.state.clocks.firstResponse).toBeUndefined();
    const reopened = applyEvent(resolved.state, { kind: 'resumed' }, weekdays, new Date('2026-12-08T09:00:00Z')).state;
    expect(withInstants(reopened, targets(null, 120), weekdays).clocks.resolution!.dueAt).toBe(
      '2026-12-08T10:00:00.000Z',
    );
  });

  it('across a DST change (London, 29 March 2026) business time is elapsed time', () => {
    const state = run([[{ kind: 'opened', running: true }, '2026-03-27T16:30:00Z']], weekdays);
    // Friday 16:30 GMT = 16:30 local; Monday 30 March opens 09:00 BST = 08:00Z.
    expect(withInstants(state, targets(60), weekdays).clocks.firstResponse!.dueAt).toBe('2026-03-30T08:30:00.000Z');
  });
});

describe('the most specific policy', () => {
  const policy = (id: string, p: Partial<SlaPolicy>, created = 0): SlaPolicy =>
    ({ id, departmentId: null, priority: null, channel: null, createdAt: new Date(created), ...p }) as SlaPolicy;
  const conversation = { departmentId: 'ref', priority: 'urgent' as const, channel: 'email' as const };

  it('prefers more matching fields, then department over priority over channel, then the oldest', () => {
    const all = [
      policy('any', {}),
      policy('dept', { departmentId: 'ref' }),
      policy('prio+chan', { priority: 'urgent', channel: 'email' }),
      policy('other', { departmentId: 'circ', priority: 'urgent', channel: 'email' }),
    ];
    expect(mostSpecific(all, conversation)?.id).toBe('prio+chan');
    expect(
      mostSpecific([policy('chan', { channel: 'email' }), policy('prio', { priority: 'urgent' })], conversation)?.id,
    ).toBe('prio');
    expect(
      mostSpecific([policy('b', { departmentId: 'ref' }, 2), policy('a', { departmentId: 'ref' }, 1)], conversation)
        ?.id,
    ).toBe('a');
    expect(mostSpecific([policy('other', { departmentId: 'circ' })], conversation)).toBeNull();
  });
});
