// How loud a block of samples is, for meters (the dictation's level events and Settings'
// microphone test alike): RMS in dBFS, mapped from [−60, 0] to [0, 1].

export function levelOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const x of samples) sum += Number.isFinite(x) ? x * x : 0;
  const db = 10 * Math.log10(sum / samples.length || 1e-12);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}
