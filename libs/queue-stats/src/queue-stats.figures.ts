import { COUNTERS, type Counter, type Counters } from '@readerdesk/contracts';
import type { Channel } from '@readerdesk/conversations';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Answered within this (first response, wall clock) counts towards the service level. Live channels
 * follow the contact-centre habit (80/20: 20 s to pick up a call or a video call), chat a minute, SMS a
 * quarter of an hour, and the asynchronous channels (email, the API's web forms) a day.
 */
export const SERVICE_LEVEL_THRESHOLD_MS: Record<Channel, number> = {
  voice: 20 * SECOND,
  video: 20 * SECOND,
  chat: 60 * SECOND,
  sms: 15 * MINUTE,
  email: 24 * HOUR,
  api: 24 * HOUR,
};

/** A reader who left sooner than this (dialled by mistake, closed the widget at once) is a short abandon. */
export const SHORT_ABANDON_MS = 10 * SECOND;

export { COUNTERS, type Counter, type Counters };

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}

export function addCounters(into: Counters, more: Partial<Counters>): Counters {
  for (const c of COUNTERS) into[c] += more[c] ?? 0;
  return into;
}

/**
 * Service level in percent (one decimal): answered within the threshold ÷ (answered + abandoned −
 * short abandoned), as Twilio Flex counts it. Null while nothing counts (no answer, no real abandon).
 */
export function serviceLevel(
  c: Pick<Counters, 'answered' | 'answeredWithin' | 'abandoned' | 'shortAbandoned'>,
): number | null {
  const denominator = c.answered + c.abandoned - c.shortAbandoned;
  if (denominator <= 0) return null;
  return Math.round((1000 * c.answeredWithin) / denominator) / 10;
}
