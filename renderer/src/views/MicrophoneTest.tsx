// Settings → Microphone → Test: the chosen input's live level, and plain words when nothing is
// heard. Stops by itself after a minute, and when Settings closes.

import { useCallback, useEffect, useRef, useState } from 'react';
import { LevelMeter } from '../audio/LevelMeter';
import { startMicTest, type MicTest, type MicTestUpdate } from '../audio/mic-test';

const TEST_LIMIT_MS = 60_000;

export function MicrophoneTest({ deviceId }: { deviceId: string | null }) {
  const [state, setState] = useState<'off' | 'opening' | 'on'>('off');
  const [update, setUpdate] = useState<Pick<MicTestUpdate, 'silent' | 'heard'>>({ silent: false, heard: false });
  const [error, setError] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const test = useRef<MicTest | null>(null);
  const listeners = useRef(new Set<(level: number) => void>());
  const subscribe = useCallback((listener: (level: number) => void) => {
    listeners.current.add(listener);
    return () => { listeners.current.delete(listener); };
  }, []);

  const stop = useCallback(async () => {
    const running = test.current;
    test.current = null;
    setState('off');
    await running?.stop();
  }, []);

  const start = async () => {
    setError(null);
    setUpdate({ silent: false, heard: false });
    setState('opening');
    try {
      const opened = await startMicTest(deviceId, (u) => {
        for (const listener of listeners.current) listener(u.level);
        // Re-render only when the words change, not 20 times a second.
        setUpdate((prev) => (prev.silent === u.silent && prev.heard === u.heard ? prev : { silent: u.silent, heard: u.heard }));
      });
      test.current = opened;
      setLabel(opened.label);
      setState('on');
    } catch (err) {
      setState('off');
      setError((err as Error).message);
    }
  };

  // A different microphone chosen mid-test, Settings closed, or a minute passed: stop.
  useEffect(() => () => void stop(), [deviceId, stop]);
  useEffect(() => {
    if (state !== 'on') return;
    const timer = setTimeout(() => void stop(), TEST_LIMIT_MS);
    return () => clearTimeout(timer);
  }, [state, stop]);

  return (
    <div className="mic-test" data-testid="mic-test">
      {state === 'off' ? (
        <button type="button" className="button secondary" onClick={() => void start()}>Test microphone</button>
      ) : (
        <button type="button" className="button secondary" onClick={() => void stop()}>Stop test</button>
      )}
      {state === 'on' && <LevelMeter subscribe={subscribe} label="Test level" testId="mic-test-level" />}
      {state === 'on' && (update.silent && !update.heard
        ? <p className="warning" data-testid="mic-test-status">Nothing is heard from {label || 'this microphone'}: check that it is not muted (on the device or in the system's sound settings), or choose another.</p>
        : <p className="hint" data-testid="mic-test-status">{update.heard ? `${label || 'The microphone'} hears you: the bar follows your voice.` : 'Speak: the bar should follow your voice.'}</p>)}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
