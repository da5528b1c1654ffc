// "Record…" beside the Keys field: press the shortcut instead of spelling it. A key with its
// modifiers is taken on its press; a right-hand modifier pressed and released alone becomes
// RightCtrl (etc.); Escape alone stops recording (it is the cancel key, not a shortcut).

import { useEffect, useRef, useState } from 'react';
import { ALONE_MODIFIERS, acceleratorOf, modifierCount } from './shortcut-keys';

/** `label`: the button's accessible name where a page has more than one recorder. */
export function ShortcutRecorder({ onRecord, label }: { onRecord(accelerator: string): void; label?: string }) {
  const [recording, setRecording] = useState(false);
  const record = useRef(onRecord);
  record.current = onRecord;
  useEffect(() => {
    if (!recording) return;
    let alone: string | null = null; // a right-hand modifier down by itself so far
    const done = (accelerator: string | null) => {
      setRecording(false);
      if (accelerator) record.current(accelerator);
    };
    const onDown = (e: KeyboardEvent) => {
      e.preventDefault(); // nothing else in the window acts on the keys being recorded
      e.stopPropagation();
      if (e.repeat) return;
      if (e.code === 'Escape' && modifierCount(e) === 0) return done(null);
      const accelerator = acceleratorOf(e);
      if (accelerator) return done(accelerator);
      alone = ALONE_MODIFIERS[e.code] && modifierCount(e) === 1 ? e.code : null; // another modifier: a chord in the making
    };
    const onUp = (e: KeyboardEvent) => {
      if (alone !== null && e.code === alone) done(ALONE_MODIFIERS[alone]);
      alone = null;
    };
    window.addEventListener('keydown', onDown, true);
    window.addEventListener('keyup', onUp, true);
    return () => {
      window.removeEventListener('keydown', onDown, true);
      window.removeEventListener('keyup', onUp, true);
    };
  }, [recording]);
  return (
    <button type="button" className="button secondary" aria-label={label} aria-pressed={recording} onClick={() => setRecording((r) => !r)}>
      {recording ? 'Press the keys… (Esc: stop)' : 'Record…'}
    </button>
  );
}
