import { FAILING_AFTER_FAILURES, FAILING_AFTER_MS, MailboxHealth } from './mailbox-health';

const at = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);

describe('MailboxHealth', () => {
  it('is connected after the first listing and stays so while rounds succeed', () => {
    const health = new MailboxHealth();
    expect(health.apply({ kind: 'connecting' }, at(0))).toEqual({ changes: {}, stateChanged: false, announce: null });
    const listed = health.apply({ kind: 'listed', waiting: 7 }, at(10));
    expect(listed).toEqual({
      changes: { lastFetchAt: at(10), waiting: 7, connectionState: 'connected', stateSince: at(10) },
      stateChanged: true,
      announce: null,
    });
    expect(health.apply({ kind: 'progress', waiting: 2 }, at(20)).changes).toEqual({ waiting: 2 });
    expect(health.apply({ kind: 'done' }, at(30))).toEqual({ changes: {}, stateChanged: false, announce: null });
  });

  it(`retries, then fails after ${FAILING_AFTER_FAILURES} failures in a row, announced once`, () => {
    const health = new MailboxHealth();
    const steps = Array.from({ length: 8 }, (_, i) =>
      health.apply({ kind: 'failed', error: `refused ${i + 1}` }, at(i * 100)),
    );
    expect(steps.map((s) => s.changes.connectionState ?? null)).toEqual([
      'retrying',
      null,
      null,
      null,
      'failing',
      null,
      null,
      null,
    ]);
    expect(steps.map((s) => s.announce)).toEqual([null, null, null, null, 'failing', null, null, null]);
    expect(steps[7].changes).toEqual({
      consecutiveFailures: 8,
      failingSince: at(0),
      lastError: 'refused 8',
      lastErrorAt: at(700),
    });
  });

  it('fails after two minutes of failures even when they are few', () => {
    const health = new MailboxHealth();
    health.apply({ kind: 'failed', error: 'timed out' }, at(0));
    const later = health.apply({ kind: 'failed', error: 'timed out' }, at(FAILING_AFTER_MS));
    expect(later).toMatchObject({ announce: 'failing', changes: { connectionState: 'failing' } });
  });

  it('recovers only when a whole round succeeds, and says so once', () => {
    const health = new MailboxHealth();
    for (let i = 0; i < FAILING_AFTER_FAILURES; i++) health.apply({ kind: 'failed', error: 'no' }, at(i));
    // Listing the folder is a successful fetch, but a round that then fails is not a recovery.
    expect(health.apply({ kind: 'listed', waiting: 3 }, at(100))).toEqual({
      changes: { lastFetchAt: at(100), waiting: 3 },
      stateChanged: false,
      announce: null,
    });
    expect(health.apply({ kind: 'done' }, at(200))).toEqual({
      changes: { consecutiveFailures: 0, failingSince: null, connectionState: 'connected', stateSince: at(200) },
      stateChanged: true,
      announce: 'recovered',
    });
    expect(health.apply({ kind: 'failed', error: 'again' }, at(300)).announce).toBeNull();
  });

  it('does not announce failing again for a mailbox that was failing before this fetcher started', () => {
    const health = new MailboxHealth(true);
    const steps = Array.from({ length: FAILING_AFTER_FAILURES }, (_, i) =>
      health.apply({ kind: 'failed', error: 'no' }, at(i)),
    );
    expect(steps.map((s) => s.announce)).toEqual(steps.map(() => null));
    health.apply({ kind: 'listed', waiting: 0 }, at(10));
    expect(health.apply({ kind: 'done' }, at(11)).announce).toBe('recovered');
  });
});
