// Microphone audio the system captured but never delivered to the page. Chromium counts, per
// track, the audio it captured and the part it delivered to the track's sinks
// (MediaStreamTrack.stats, Chromium 125+); what was never delivered was lost before our
// AudioWorklet saw it: an audio thread that fell behind on a busy machine. The core cannot tell
// (its frames stay contiguous), so the page counts it and tells the user, who may have lost words.

/** The track's running totals, in milliseconds of audio. */
export interface TrackAudioTotals {
  capturedMs: number;
  deliveredMs: number;
}

/** The part of MediaStreamTrack that has the counters (absent from TypeScript's DOM types). */
interface TrackWithStats {
  stats?: { totalFramesDuration?: number; deliveredFramesDuration?: number };
}

/** Dropped audio worth a notice: at least this much in one dictation (a syllable). */
export const REPORT_LOST_MS = 50;

/** The track's totals now, or null where the browser does not count (or the track is gone). */
export function readTrackTotals(track: MediaStreamTrack | undefined): TrackAudioTotals | null {
  let stats: TrackWithStats['stats'];
  try {
    stats = (track as TrackWithStats | undefined)?.stats;
  } catch {
    return null; // an ended track may refuse
  }
  const captured = stats?.totalFramesDuration, delivered = stats?.deliveredFramesDuration;
  if (typeof captured !== 'number' || typeof delivered !== 'number' || !Number.isFinite(captured) || !Number.isFinite(delivered)) return null;
  return { capturedMs: captured, deliveredMs: delivered };
}

/** Milliseconds lost between two readings of one track (0 where either is missing). */
export function lostBetween(before: TrackAudioTotals | null, after: TrackAudioTotals | null): number {
  if (!before || !after) return 0;
  const lost = (after.capturedMs - before.capturedMs) - (after.deliveredMs - before.deliveredMs);
  return lost > 0 ? lost : 0;
}
