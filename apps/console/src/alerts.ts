// How the console gets the agent's attention when the tab is in the background: a desktop
// notification (Notification API) and a short tone, each switched on or off by the agent and kept
// per browser. The tone is synthesised (Web Audio), so there is no sound file to fetch or to block.

const KEYS = { notify: 'rd.alerts.notify', sound: 'rd.alerts.sound' } as const;
export type AlertKind = keyof typeof KEYS;

export function alertOn(kind: AlertKind): boolean {
  // Sound is on unless turned off (an offer that rings silently is missed); notifications need the agent's yes.
  const stored = localStorage.getItem(KEYS[kind]);
  return stored === null ? kind === 'sound' : stored === 'on';
}

export async function setAlert(kind: AlertKind, on: boolean): Promise<boolean> {
  if (kind === 'notify' && on) {
    if (typeof Notification === 'undefined') return false;
    if (Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted') return false;
  }
  localStorage.setItem(KEYS[kind], on ? 'on' : 'off');
  return on;
}

let audio: AudioContext | null = null;

/** Two short tones; silently nothing where the browser allows no audio yet (no gesture on the page). */
function tone(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [at, hz] of [
      [0, 880],
      [0.18, 660],
    ] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.15, now + at);
      gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.16);
    }
  } catch {
    // No audio here: the card on the screen still shows it.
  }
}

/** Gets the agent's attention for something new: the tone, and a notification while the tab is hidden. */
export function attention(title: string, body: string, onClick?: () => void): void {
  if (alertOn('sound')) tone();
  if (alertOn('notify') && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    if (document.visibilityState === 'visible') return;
    const note = new Notification(title, { body, tag: title });
    note.onclick = () => {
      window.focus();
      onClick?.();
      note.close();
    };
  }
}
