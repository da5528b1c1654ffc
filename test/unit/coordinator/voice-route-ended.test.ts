// A start-on-speech dictation belongs to the hotkey coordinator (routeVoiceActivity), yet the window
// shows it with Stop and Cancel, and the service can end it by itself (microphone lost, engine
// error). The coordinator must then go back to Idle: otherwise it stays 'recording', so every later
// onset is declined (start-on-speech is dead) and the tray and overlay keep showing a recording.
// Real coordinator and route; the service is scripted.
import { describe, expect, it } from 'vitest';
import type { DictationStatus, FinalTranscript } from '../../../electron/common/ipc-contract';
import { DictationCoordinator, dictationPortFrom, routeVoiceActivity, type InsertionSink } from '../../../electron/core/coordinator';
import { ScriptedDictation } from '../app/scripted-dictation';

/** A service that starts on start() and ends as the test says, like the window's buttons would. */
class WindowEndedDictation extends ScriptedDictation {
  startHandler: (() => boolean) | null = null;
  stopHandler: (() => boolean) | null = null;
  stops = 0;
  cancels = 0;
  setVoiceStopHandler(handler: (() => boolean) | null) { this.stopHandler = handler; }
  setVoiceStartHandler(handler: (() => boolean) | null) { this.startHandler = handler; }
  override async start() {
    this.starts++;
    this.setState('loading');
    await Promise.resolve();
    this.setState('listening');
    return this.current;
  }
  // The base's stop answers null only; this one ends the dictation with text, as the controller does.
  override stop = async (): Promise<null> => {
    this.stops++;
    if (this.current.state !== 'listening') return null;
    this.end('idle');
    const final: FinalTranscript = { sessionId: 's1', text: 'hello', source: 'mic', durationMs: 1, historyId: null, jobId: null };
    return final as unknown as null;
  };
  override async cancel() { this.cancels++; return this.current; }
  /** The dictation ended without the coordinator asking (window Stop/Cancel, lost mic, error). */
  end(state: 'idle' | 'error', message = 'The speech engine failed: boom') {
    const error = state === 'error' ? { code: 'engine' as const, message } : null;
    const status: DictationStatus = { state, since: 2, sessionId: 's1', source: 'mic', error };
    this.emitState(status);
  }
}

function setup() {
  const service = new WindowEndedDictation();
  const inserted: string[] = [];
  const insertion: InsertionSink = {
    begin: () => ({ partial: () => undefined, finish: async (text) => { inserted.push(text); return { delivered: 'pasted', message: null }; }, abort: () => undefined }),
  };
  const coordinator = new DictationCoordinator({ port: dictationPortFrom(service), insertion, hotkeyMode: () => 'both' });
  const disconnect = routeVoiceActivity(service, coordinator);
  return { service, coordinator, inserted, disconnect };
}

const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0)); };

describe('a start-on-speech dictation ended outside the coordinator', () => {
  it('stopped in the window: the coordinator goes idle, inserts nothing, and the next onset starts again', async () => {
    const { service, coordinator, inserted } = setup();
    expect(service.startHandler?.()).toBe(true);
    await settle();
    expect(coordinator.snapshot().state).toBe('recording');
    service.end('idle'); // the window's Stop (or Cancel): its text stays in the window
    await settle();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: null });
    expect(inserted).toEqual([]);
    expect(service.startHandler?.()).toBe(true); // start-on-speech still works
    await settle();
    expect(service.starts).toBe(2);
    expect(coordinator.snapshot().state).toBe('recording');
  });

  it('cancelled while the model loads: the coordinator does not go on to record it', async () => {
    const { service, coordinator } = setup();
    let release!: () => void;
    service.start = async () => {
      service.starts++;
      service.setState('loading');
      await new Promise<void>((r) => { release = r; });
      return service.current; // the controller answers its (now idle) status after a cancel
    };
    expect(service.startHandler?.()).toBe(true);
    await settle();
    expect(coordinator.snapshot().state).toBe('arming');
    service.end('idle');
    release();
    await settle();
    expect(coordinator.snapshot().state).toBe('idle');
  });

  it('an engine error: the coordinator goes idle with the error, and stays usable', async () => {
    const { service, coordinator } = setup();
    service.startHandler?.();
    await settle();
    service.end('error');
    await settle();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'The speech engine failed: boom' });
  });

  it('its own stop (hands-free silence) still inserts the text, once', async () => {
    const { service, coordinator, inserted } = setup();
    service.startHandler?.();
    await settle();
    expect(service.stopHandler?.()).toBe(true);
    await settle();
    expect(inserted).toEqual(['hello']);
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: null });
  });

  it('after disconnect, state events no longer reach the coordinator', async () => {
    const { service, coordinator, disconnect } = setup();
    service.startHandler?.();
    await settle();
    disconnect();
    service.end('idle');
    await settle();
    expect(coordinator.snapshot().state).toBe('recording');
  });
});
