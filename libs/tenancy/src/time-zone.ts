const zones = new Set(Intl.supportedValuesOf('timeZone'));

/** True for an IANA time zone name this runtime knows (Europe/Berlin, Asia/Tehran, UTC…). */
export function isTimeZone(name: string): boolean {
  if (zones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
