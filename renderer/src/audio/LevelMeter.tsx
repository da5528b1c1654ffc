// A microphone level bar that repaints itself on every frame without re-rendering React. By
// default it follows the dictation's level (level-source.ts); Settings' microphone test gives it
// its own source.

import { useEffect, useRef } from 'react';
import { subscribeLevel } from './level-source';

export type LevelSubscription = (listener: (level: number) => void) => () => void;

export function LevelMeter({ subscribe = subscribeLevel, label = 'Microphone level', testId = 'level-meter' }: {
  subscribe?: LevelSubscription;
  label?: string;
  testId?: string;
}) {
  const bar = useRef<HTMLSpanElement>(null);
  const meter = useRef<HTMLSpanElement>(null);
  useEffect(() => subscribe((level) => {
    if (bar.current) bar.current.style.transform = `scaleX(${level})`;
    meter.current?.setAttribute('aria-valuenow', String(Math.round(level * 100)));
  }), [subscribe]);
  return (
    <span ref={meter} className="level-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} data-testid={testId}>
      <span ref={bar} className="level-meter-bar" />
    </span>
  );
}
