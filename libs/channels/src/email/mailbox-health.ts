import type { MailboxConnectionState } from './mailbox-cursor.entity';
import type { MailboxSignal } from './mailbox-fetcher';

/** A mailbox is failing after this many failures in a row… */
export const FAILING_AFTER_FAILURES = 5;
/** …or once its failures have lasted this long, whichever comes first (a slow server times out rarely but long). */
export const FAILING_AFTER_MS = 2 * 60_000;

/** The cursor row's connection columns, as far as one signal changed them. */
export interface MailboxHealthChanges {
  connectionState?: MailboxConnectionState;
  stateSince?: Date;
  consecutiveFailures?: number;
  failingSince?: Date | null;
  lastError?: string;
  lastErrorAt?: Date;
  lastFetchAt?: Date;
  waiting?: number;
}

export interface MailboxHealthStep {
  changes: MailboxHealthChanges;
  /** The state moved: write now, whatever the throttle says. */
  stateChanged: boolean;
  /** Tell the administrators: the mailbox began failing, or it works again after failing. */
  announce: 'failing' | 'recovered' | null;
}

/**
 * The health of one mailbox, from its fetcher's signals: `connecting` until the first listing,
 * `connected` while rounds succeed, `retrying` after a failure, `failing` after
 * FAILING_AFTER_FAILURES in a row or FAILING_AFTER_MS of them. The run of failures ends only when a
 * whole round succeeds, so a server that lists the folder but fails every batch stays failing.
 * Pure: the supervisor persists the changes and publishes the announcements.
 */
export class MailboxHealth {
  private state: MailboxConnectionState = 'connecting';
  private failures = 0;
  private failingSince: Date | null = null;

  /** `announcedFailing`: the row said failing before this fetcher started, so that was told already. */
  constructor(private announcedFailing = false) {}

  get current(): { state: MailboxConnectionState; failures: number; failingSince: Date | null } {
    return { state: this.state, failures: this.failures, failingSince: this.failingSince };
  }

  /** The columns a fetcher that is just starting writes. */
  start(now: Date): MailboxHealthChanges {
    return { connectionState: 'connecting', stateSince: now, consecutiveFailures: 0, failingSince: null };
  }

  apply(signal: MailboxSignal, now: Date): MailboxHealthStep {
    const before = this.state;
    const changes: MailboxHealthChanges = {};
    let announce: MailboxHealthStep['announce'] = null;
    switch (signal.kind) {
      case 'connecting':
        break;
      case 'listed':
        changes.lastFetchAt = now;
        changes.waiting = signal.waiting;
        if (this.failures === 0) this.state = 'connected';
        break;
      case 'progress':
        changes.waiting = signal.waiting;
        break;
      case 'done':
        if (this.failures > 0) {
          this.failures = 0;
          this.failingSince = null;
          changes.consecutiveFailures = 0;
          changes.failingSince = null;
        }
        this.state = 'connected';
        break;
      case 'failed': {
        this.failures += 1;
        this.failingSince ??= now;
        const failing =
          this.failures >= FAILING_AFTER_FAILURES || now.getTime() - this.failingSince.getTime() >= FAILING_AFTER_MS;
        this.state = failing ? 'failing' : 'retrying';
        Object.assign(changes, {
          consecutiveFailures: this.failures,
          failingSince: this.failingSince,
          lastError: signal.error,
          lastErrorAt: now,
        });
        break;
      }
    }
    if (this.state === 'failing' && !this.announcedFailing) {
      this.announcedFailing = true;
      announce = 'failing';
    } else if (this.state === 'connected' && this.announcedFailing) {
      this.announcedFailing = false;
      announce = 'recovered';
    }
    const stateChanged = this.state !== before;
    if (stateChanged) Object.assign(changes, { connectionState: this.state, stateSince: now });
    return { changes, stateChanged, announce };
  }
}
