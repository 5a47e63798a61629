import { useEffect, useState, useSyncExternalStore } from 'react';

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

const onHashChange = (changed: () => void) => {
  window.addEventListener('hashchange', changed);
  return () => window.removeEventListener('hashchange', changed);
};
/** The screen the address names after its `#` ('/' when none): links change it, the back button too. */
export function useHashRoute(): string {
  return useSyncExternalStore(onHashChange, () => window.location.hash.replace(/^#/, '') || '/');
}
