/** "0:07", "1:05:09" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Time left for a file job from its progress since `start` (its first progress report, so the
 * model's load and the file's decode are not counted): null until there is enough to say (1 s and
 * 3 % of the file), then a rough figure in words.
 */
export function timeLeft(start: { at: number; fraction: number }, now: number, fraction: number): string | null {
  const elapsed = now - start.at, done = fraction - start.fraction;
  if (elapsed < 1000 || done < 0.03 || fraction >= 1) return null;
  const left = (elapsed * (1 - fraction)) / done;
  if (left < 10_000) return 'a few seconds left';
  if (left < 60_000) return `about ${Math.round(left / 10_000) * 10} s left`;
  if (left < 3_600_000) return `about ${Math.round(left / 60_000)} min left`;
  const h = left / 3_600_000;
  return `about ${h < 10 ? h.toFixed(1) : Math.round(h)} h left`;
}
