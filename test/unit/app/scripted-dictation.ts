import type { DictationStatus } from '../../../electron/common/ipc-contract';
import type { DictationEvent, DictationService } from '../../../electron/core/app/services';

/** A dictation service whose state the test sets; it counts start() calls and emits state events. */
export class ScriptedDictation implements DictationService {
  protected readonly listeners = new Set<(event: DictationEvent) => void>();
  starts = 0;
  current: DictationStatus = { state: 'idle', since: 0, sessionId: null, source: null, error: null };
  status() { return this.current; }
  async start() { this.starts++; return this.current; }
  async stop() { return null; }
  async cancel() { return this.current; }
  pushAudio() {}
  endAudio() {}
  async transcribeFile() { return { jobId: 'j' }; }
  async cancelFile() { return false; }
  onEvent(listener: (event: DictationEvent) => void) {
    this.listeners.add(listener); // AppCore and the coordinator both listen
    return () => { this.listeners.delete(listener); };
  }
  async dispose() {}
  protected emitState(status: DictationStatus) {
    this.current = status;
    for (const listener of this.listeners) listener({ name: 'state', payload: this.current });
  }
  setState(state: DictationStatus['state']) {
    this.emitState({ state, since: Date.now(), sessionId: 's1', source: 'mic', error: null });
  }
}
