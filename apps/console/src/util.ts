import { useEffect, useState } from 'react';

/** A shortcut key typed into a field is text, not a shortcut. */
export const typingIn = (event: KeyboardEvent): boolean =>
  !!(event.target as HTMLElement).closest('input, textarea, select, [contenteditable]');

export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
