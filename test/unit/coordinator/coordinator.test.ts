import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HotkeyMode } from '../../../electron/common/ipc-contract';
import {
  DictationCoordinator, type CoordinatorState, type DictationPort, type FinalResult, type InsertionOutcome,
  type InsertionSession, type InsertionSink, type PartialUpdate,
} from '../../../electron/core/coordinator';

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** A controller stand-in whose start/stop finish only when the test says so. */
class FakePort implements DictationPort {
  calls: string[] = [];
  starts: Deferred<void>[] = [];
  stops: Deferred<FinalResult>[] = [];
  private partialListeners = new Set<(u: PartialUpdate) => void>();
  start(): Promise<void> { this.calls.push('start'); const d = deferred<void>(); this.starts.push(d); return d.promise; }
  stop(): Promise<FinalResult> { this.calls.push('stop'); const d = deferred<FinalResult>(); this.stops.push(d); return d.promise; }
  cancel(): void { this.calls.push('cancel'); }
  onPartial(listener: (u: PartialUpdate) => void): () => void {
    this.partialListeners.add(listener);
    return () => this.partialListeners.delete(listener);
  }
  /** A dictation started in the window is running (the controller's status, as the port reads it). */
  elsewhere = false;
  runningElsewhere(): boolean { return this.elsewhere; }
  emitPartial(text: string): void { for (const l of this.partialListeners) l({ text, appended: text }); }
  get listenerCount(): number { return this.partialListeners.size; }
}

class FakeInsertion implements InsertionSink {
  sessions: { partials: string[]; finished: string[]; aborted: boolean; result: Deferred<InsertionOutcome> }[] = [];
  autoResolve: InsertionOutcome | null = { delivered: 'pasted', message: null };
  begin(): InsertionSession {
    const record = { partials: [] as string[], finished: [] as string[], aborted: false, result: deferred<InsertionOutcome>() };
    this.sessions.push(record);
    return {
      partial: (text) => { record.partials.push(text); },
      finish: (text) => {
        record.finished.push(text);
        if (this.autoResolve) record.result.resolve(this.autoResolve);
        return record.result.promise;
      },
      abort: () => { record.aborted = true; },
    };
  }
  get inserted(): string[] { return this.sessions.flatMap((s) => s.finished); }
}

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

let port: FakePort;
let insertion: FakeInsertion;
let mode: HotkeyMode;
let coordinator: DictationCoordinator;
let states: CoordinatorState[];

function press(): void { coordinator.hotkeyDown(); }
function release(): void { coordinator.hotkeyUp(); vi.advanceTimersByTime(60); }
async function engineReady(i = port.starts.length - 1): Promise<void> { port.starts[i].resolve(); await flush(); }
async function finalText(text: string, i = port.stops.length - 1): Promise<void> { port.stops[i].resolve({ text }); await flush(); }

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  port = new FakePort();
  insertion = new FakeInsertion();
  mode = 'hold';
  coordinator = new DictationCoordinator({ port, insertion, hotkeyMode: () => mode });
  states = [];
  coordinator.onChange((s) => { if (states.at(-1) !== s.state) states.push(s.state); });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('hold to talk', () => {
  it('runs the whole cycle and inserts the final text once', async () => {
    press();
    expect(coordinator.snapshot().state).toBe('arming');
    await engineReady();
    expect(coordinator.snapshot().state).toBe('recording');
    port.emitPartial('hello');
    expect(coordinator.snapshot().text).toBe('hello');
    vi.advanceTimersByTime(1000);
    release();
    expect(coordinator.snapshot().state).toBe('finishing');
    await finalText('hello world');
    expect(insertion.inserted).toEqual(['hello world']);
    expect(insertion.sessions[0].partials).toEqual(['hello']);
    expect(coordinator.snapshot().state).toBe('idle');
    expect(states).toEqual(['arming', 'recording', 'finishing', 'inserting', 'idle']);
    expect(port.listenerCount).toBe(0);
  });

  it('a release during model load stops as soon as the engine is ready', async () => {
    press();
    release();
    expect(coordinator.snapshot().state).toBe('arming');
    expect(coordinator.snapshot().notice).toMatch(/as soon as the model is ready/);
    expect(port.calls).toEqual(['start']);
    await engineReady();
    expect(port.calls).toEqual(['start', 'stop']);
    await finalText('quick');
    expect(insertion.inserted).toEqual(['quick']);
  });

  it('inserts nothing and says so when nothing was heard', async () => {
    press();
    release();
    await engineReady();
    await finalText('   ');
    const snap = coordinator.snapshot();
    expect(snap.state).toBe('idle');
    expect(snap.notice).toBe('Nothing was heard');
    expect(snap.error).toBeNull();
  });

  it('ignores auto-repeat key-downs while held', async () => {
    press();
    await engineReady();
    press(); press(); press();
    expect(port.calls).toEqual(['start']);
    release();
    expect(port.calls).toEqual(['start', 'stop']);
  });

  it('treats a release and re-press within the grace window as one hold', async () => {
    press();
    await engineReady();
    coordinator.hotkeyUp();
    vi.advanceTimersByTime(20);
    press();
    vi.advanceTimersByTime(200);
    expect(coordinator.snapshot().state).toBe('recording');
    release();
    expect(coordinator.snapshot().state).toBe('finishing');
  });

  it('ignores contact bounce right after a completed press', async () => {
    mode = 'toggle';
    press(); coordinator.hotkeyUp();
    vi.advanceTimersByTime(10);
    press(); coordinator.hotkeyUp();
    expect(port.calls).toEqual(['start']);
    expect(coordinator.snapshot().state).toBe('arming');
  });
});

describe('toggle', () => {
  beforeEach(() => { mode = 'toggle'; });

  it('first press starts, second press stops', async () => {
    press(); release();
    await engineReady();
    vi.advanceTimersByTime(2000);
    expect(coordinator.snapshot().state).toBe('recording');
    press(); release();
    expect(port.calls).toEqual(['start', 'stop']);
    await finalText('toggled');
    expect(insertion.inserted).toEqual(['toggled']);
  });

  it('a second press during load stops when ready', async () => {
    press(); release();
    press(); release();
    expect(port.calls).toEqual(['start']);
    await engineReady();
    expect(port.calls).toEqual(['start', 'stop']);
  });

  it('toggle() from the tray works in any hotkey mode', async () => {
    mode = 'hold';
    coordinator.toggle();
    await engineReady();
    vi.advanceTimersByTime(5000);
    expect(coordinator.snapshot().latched).toBe(true);
    coordinator.toggle();
    await finalText('from tray');
    expect(insertion.inserted).toEqual(['from tray']);
  });
});

describe('combined mode (tap = toggle, hold = push-to-talk)', () => {
  beforeEach(() => { mode = 'both'; });

  it('a short tap latches recording on; the next press ends it', async () => {
    press();
    vi.advanceTimersByTime(100);
    release();
    await engineReady();
    expect(coordinator.snapshot()).toMatchObject({ state: 'recording', latched: true });
    vi.advanceTimersByTime(3000);
    press();
    expect(coordinator.snapshot().state).toBe('finishing');
    release();
    await finalText('tapped');
    expect(insertion.inserted).toEqual(['tapped']);
  });

  it('a long hold is push-to-talk: release stops', async () => {
    press();
    await engineReady();
    vi.advanceTimersByTime(800);
    release();
    expect(coordinator.snapshot().state).toBe('finishing');
    expect(coordinator.snapshot().latched).toBe(false);
  });

  it('a tap during model load latches instead of stopping', async () => {
    press();
    vi.advanceTimersByTime(50);
    release();
    await engineReady();
    expect(port.calls).toEqual(['start']);
    expect(coordinator.snapshot().state).toBe('recording');
  });
});

describe('presses while the previous dictation flushes', () => {
  it('hold: a press during flush starts the next dictation after insertion if still held', async () => {
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    press(); // during finishing
    expect(coordinator.snapshot().notice).toMatch(/start again/);
    await finalText('first');
    expect(insertion.inserted).toEqual(['first']);
    expect(coordinator.snapshot().state).toBe('arming');
    expect(port.calls).toEqual(['start', 'stop', 'start']);
    await engineReady();
    release();
    await finalText('second');
    expect(insertion.inserted).toEqual(['first', 'second']);
  });

  it('hold: a press released before the flush ends is dropped', async () => {
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    press(); vi.advanceTimersByTime(400); release();
    await finalText('only');
    expect(coordinator.snapshot().state).toBe('idle');
    expect(port.calls).toEqual(['start', 'stop']);
  });

  it('combined: a tap during flush starts a latched dictation afterwards', async () => {
    mode = 'both';
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    press(); vi.advanceTimersByTime(80); release();
    await finalText('one');
    expect(coordinator.snapshot()).toMatchObject({ state: 'arming', latched: true });
  });

  it('toggle: a second press un-queues the first', async () => {
    mode = 'toggle';
    press(); release(); await engineReady(); vi.advanceTimersByTime(500);
    press(); release(); // stop
    vi.advanceTimersByTime(100);
    press(); release(); // queue
    vi.advanceTimersByTime(100);
    press(); release(); // un-queue
    await finalText('done');
    expect(coordinator.snapshot().state).toBe('idle');
    expect(port.calls).toEqual(['start', 'stop']);
  });

  it('a press while inserting is queued too', async () => {
    insertion.autoResolve = null;
    mode = 'toggle';
    press(); release(); await engineReady(); vi.advanceTimersByTime(500);
    press(); release();
    await finalText('slow paste');
    expect(coordinator.snapshot().state).toBe('inserting');
    vi.advanceTimersByTime(100);
    press(); release();
    insertion.sessions[0].result.resolve({ delivered: 'pasted', message: null });
    await flush();
    expect(coordinator.snapshot().state).toBe('arming');
    expect(insertion.sessions).toHaveLength(2);
  });
});

describe('cancel and errors', () => {
  it('cancel while recording drops the dictation and inserts nothing', async () => {
    press(); await engineReady();
    port.emitPartial('half a sen');
    coordinator.cancel();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', notice: 'Cancelled' });
    expect(port.calls).toEqual(['start', 'cancel']);
    expect(insertion.sessions[0].aborted).toBe(true);
    release();
    expect(port.calls).toEqual(['start', 'cancel']);
  });

  it('a start that resolves after cancel is ignored', async () => {
    press();
    coordinator.cancel();
    await engineReady();
    expect(coordinator.snapshot().state).toBe('idle');
    expect(port.calls).toEqual(['start', 'cancel']);
  });

  it('cancel during flush ignores the late final text', async () => {
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    coordinator.cancel();
    await finalText('too late');
    expect(insertion.inserted).toEqual([]);
    expect(coordinator.snapshot().state).toBe('idle');
  });

  it('a failing start returns to idle with the message, and the next press works', async () => {
    press();
    port.starts[0].reject(new Error('No model is configured'));
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'No model is configured' });
    release();
    vi.advanceTimersByTime(100);
    press();
    expect(coordinator.snapshot()).toMatchObject({ state: 'arming', error: null });
  });

  it('a failing stop returns to idle with the message', async () => {
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    port.stops[0].reject(new Error('engine crashed'));
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'engine crashed' });
    expect(port.calls).toEqual(['start', 'stop', 'cancel']);
  });

  it('an asynchronous engine error while recording ends the dictation', async () => {
    press(); await engineReady();
    coordinator.engineError('CUDA out of memory');
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'CUDA out of memory' });
  });

  it('a port that throws synchronously does not wedge the machine', async () => {
    port.start = () => { throw new Error('sync boom'); };
    press();
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'sync boom' });
  });

  it('an insertion failure is reported as an error and ends idle', async () => {
    insertion.autoResolve = null;
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    await finalText('keep me');
    insertion.sessions[0].result.reject(new Error('xdotool not found'));
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle' });
    expect(coordinator.snapshot().error).toMatch(/xdotool not found/);
  });

  it('an undelivered outcome is an error that carries the inserter message', async () => {
    insertion.autoResolve = { delivered: 'none', message: 'wtype is missing' };
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    await finalText('text');
    expect(coordinator.snapshot().error).toBe('wtype is missing');
  });

  it('a listener that throws does not break dictation', async () => {
    coordinator.onChange(() => { throw new Error('view bug'); });
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    await finalText('fine');
    expect(insertion.inserted).toEqual(['fine']);
  });
});

describe('voice activity inputs', () => {
  it('silenceStop ends a recording dictation and inserts, like a toggle-off', async () => {
    mode = 'toggle';
    press(); release(); await engineReady();
    coordinator.silenceStop();
    expect(port.calls).toEqual(['start', 'stop']);
    await finalText('hands free');
    expect(insertion.inserted).toEqual(['hands free']);
  });

  it('silenceStop never starts a dictation and is ignored while flushing', async () => {
    coordinator.silenceStop();
    expect(port.calls).toEqual([]);
    press(); await engineReady(); vi.advanceTimersByTime(500); release();
    coordinator.silenceStop();
    expect(port.calls).toEqual(['start', 'stop']);
  });

  it('speechStart starts a latched dictation from idle only', async () => {
    coordinator.speechStart();
    await engineReady();
    expect(coordinator.snapshot()).toMatchObject({ state: 'recording', latched: true });
    coordinator.speechStart();
    expect(port.calls).toEqual(['start']);
  });
});

describe('a dictation started in the window', () => {
  for (const hotkeyMode of ['hold', 'toggle', 'both'] as const) {
    it(`${hotkeyMode}: a press stops it and starts nothing; its text is not inserted elsewhere`, async () => {
      mode = hotkeyMode;
      port.elsewhere = true;
      press();
      expect(port.calls).toEqual(['stop']);
      expect(coordinator.snapshot()).toMatchObject({ state: 'idle', notice: expect.stringMatching(/Stopped the dictation started in the window/) });
      port.elsewhere = false; // the controller finished it
      await finalText('from the window');
      release();
      vi.advanceTimersByTime(1000);
      await flush();
      expect(insertion.sessions).toEqual([]);
      expect(states).toEqual(['idle']); // only the notice was emitted: it never left idle
      // The next press is an ordinary hotkey dictation again.
      vi.advanceTimersByTime(100);
      press();
      expect(port.calls).toEqual(['stop', 'start']);
      expect(coordinator.snapshot().state).toBe('arming');
    });
  }

  it('the tray toggle stops it too', async () => {
    port.elsewhere = true;
    coordinator.toggle();
    expect(port.calls).toEqual(['stop']);
    expect(coordinator.snapshot().state).toBe('idle');
  });

  it('a port without the status query (or one that throws) starts as before', async () => {
    port.runningElsewhere = () => { throw new Error('no status'); };
    press();
    expect(port.calls).toEqual(['start']);
  });
});

describe('rapid presses', () => {
  it('many quick presses in hold mode run at most one dictation at a time', async () => {
    for (let i = 0; i < 10; i++) { press(); vi.advanceTimersByTime(5); coordinator.hotkeyUp(); vi.advanceTimersByTime(5); }
    vi.advanceTimersByTime(100);
    expect(port.calls.filter((c) => c === 'start')).toHaveLength(1);
    await engineReady();
    expect(port.calls).toEqual(['start', 'stop']);
    await finalText('x');
    expect(coordinator.snapshot().state).toBe('idle');
  });
});

describe('paste last transcript', () => {
  async function dictate(text: string): Promise<void> {
    press();
    await engineReady();
    release();
    await finalText(text);
  }

  it('inserts the last dictation again through a fresh insertion session, from Idle', async () => {
    await dictate('first');
    await dictate('second');
    coordinator.pasteLast();
    expect(coordinator.snapshot().state).toBe('inserting');
    await flush();
    expect(insertion.inserted).toEqual(['first', 'second', 'second']);
    expect(insertion.sessions).toHaveLength(3);
    expect(port.calls.filter((c) => c === 'start')).toHaveLength(2); // no dictation ran for it
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: null, notice: null });
  });

  it('takes its text from the given source (History) over what it delivered itself', async () => {
    let latest: string | null = null; // History off: what this coordinator last delivered
    coordinator = new DictationCoordinator({ port, insertion, hotkeyMode: () => mode, lastTranscript: () => latest });
    await dictate('as said');
    coordinator.pasteLast();
    await flush();
    latest = 'corrected in History';
    coordinator.pasteLast();
    await flush();
    expect(insertion.inserted).toEqual(['as said', 'as said', 'corrected in History']);
  });

  it('a spoken command (“scratch that”) is not the last transcript', async () => {
    await dictate('wanted');
    insertion.autoResolve = { delivered: 'typed', message: 'Removed the last dictation', command: 'scratch' };
    await dictate('Scratch that.');
    expect(coordinator.snapshot().notice).toBe('Removed the last dictation');
    insertion.autoResolve = { delivered: 'pasted', message: null };
    coordinator.pasteLast();
    await flush();
    expect(insertion.inserted.at(-1)).toBe('wanted');
  });

  it('says so when there is nothing yet, or the source fails, and inserts nothing', async () => {
    coordinator.pasteLast();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', notice: 'No transcript to paste yet' });
    coordinator = new DictationCoordinator({ port, insertion, hotkeyMode: () => mode, lastTranscript: () => { throw new Error('disk'); } });
    coordinator.pasteLast();
    expect(coordinator.snapshot().notice).toBe('No transcript to paste yet');
    await dictate('   ');
    coordinator.pasteLast();
    expect(coordinator.snapshot().notice).toBe('No transcript to paste yet');
    expect(insertion.sessions.flatMap((s) => s.finished)).toEqual(['   ']);
  });

  it('does nothing while a dictation runs (the text would land inside it), with a notice', async () => {
    await dictate('earlier');
    press();
    await engineReady();
    coordinator.pasteLast();
    expect(coordinator.snapshot()).toMatchObject({ state: 'recording', notice: 'Paste last transcript works between dictations' });
    release();
    await finalText('now');
    expect(insertion.inserted).toEqual(['earlier', 'now']);
  });

  it('a failed paste is an error like a dictation’s, and a press during it queues the next dictation', async () => {
    await dictate('again');
    insertion.autoResolve = null;
    coordinator.pasteLast();
    press();
    expect(coordinator.snapshot().notice).toBe('Will start again when the text is in');
    insertion.sessions.at(-1)!.result.resolve({ delivered: 'none', message: 'xdotool is missing' });
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'arming', error: null });
    expect(port.calls.filter((c) => c === 'start')).toHaveLength(2);
    coordinator.cancel();
    insertion.autoResolve = null;
    coordinator.pasteLast();
    insertion.sessions.at(-1)!.result.reject(new Error('clipboard gone'));
    await flush();
    expect(coordinator.snapshot()).toMatchObject({ state: 'idle', error: 'The text could not be inserted: clipboard gone' });
  });
});
