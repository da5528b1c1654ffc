// Transcribing on after the model's end-of-stream: one plain module used by live dictation, file
// jobs and `voxtral transcribe`, so all three give the same ids for the same audio.
export { AudioHistory } from './audio-history.js';
export { BlockLevels } from './block-levels.js';
export {
  ContinuousSession, samplesSeenThrough, streamGeometry,
  type ContinuousFlushResult, type ContinuousSessionOptions, type SegmentPlace, type SegmentSummary, type StreamGeometry,
} from './continuous-session.js';
export { SegmentedDecoder } from './segment-text.js';
export { MS_PER_TOKEN, timedWords, type TimedWord } from './timed-words.js';
