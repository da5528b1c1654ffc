// A microphone level bar that repaints itself on every frame without re-rendering React.

import { useEffect, useRef } from 'react';
import { subscribeLevel } from './level-source';

export function LevelMeter() {
  const bar = useRef<HTMLSpanElement>(null);
  const meter = useRef<HTMLSpanElement>(null);
  useEffect(() => subscribeLevel((level) => {
    if (bar.current) bar.current.style.transform = `scaleX(${level})`;
    meter.current?.setAttribute('aria-valuenow', String(Math.round(level * 100)));
  }), []);
  return (
    <span ref={meter} className="level-meter" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} data-testid="level-meter">
      <span ref={bar} className="level-meter-bar" />
    </span>
  );
}
