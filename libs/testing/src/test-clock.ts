import { Clock } from '@readerdesk/platform';

/** A Clock that stands still until the test moves it: lockouts and expiries without waiting. */
export class TestClock extends Clock {
  private current: Date;

  constructor(start: Date = new Date()) {
    super();
    this.current = new Date(start.getTime());
  }

  override now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
