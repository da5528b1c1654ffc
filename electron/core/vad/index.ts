// Voice activity: Silero VAD on onnxruntime-node, the silence endpointer and the per-dictation monitor.
// Usage (dictation controller):
//   const vad = new VoiceActivityService(); void vad.load();          // once, at startup
//   const monitor = vad.monitor({ handsFree: settings.handsFree, forward: (f) => session.push(f), onEvent });
//   each frame → (monitor ?? session).push(frame)
//   settings change → monitor.setConfig(handsFreeConfigFrom(settings.handsFree))
//   'stop' → flush and insert as usual;  'speech' → indicator;  end of dictation → await monitor.close()

export { findSileroModel, sileroModelCandidates, SILERO_MODEL_FILE, type ModelSearch } from './model-path';
export { loadSileroModel, SileroStream, SileroVad, VadModelError } from './silero-model';
export { SilenceEndpointer, validateEndpointerConfig } from './silence-endpointer';
export { VoiceActivityDetector } from './voice-activity-detector';
export { VoiceActivityMonitor, type MonitorMode, type VoiceActivityMonitorOptions } from './voice-activity-monitor';
export {
  handsFreeConfigFrom, monitorModeFor, NO_SPEECH_TIMEOUT_MS, VoiceActivityService, type MonitorRequest, type StreamingVadModel, type VadAvailability,
  type VoiceActivityServiceOptions,
} from './voice-activity-service';
export * from './types';
