import { describe, expect, it, vi } from 'vitest';
import type { DictationStatus, FinalTranscript } from '../../../electron/common/ipc-contract';
import type { DictationEvent, DictationService } from '../../../electron/core/app/services';
import { DictateAnywhere, dictationPortFrom, type DictateAnywhereSettings } from '../../../electron/core/coordinator';
import type { RawKeyEvent } from '../../../electron/core/hotkey';
import { FakeRunner } from '../insertion/fakes';

const idle: DictationStatus = { state: 'idle', since: 0, sessionId: null, source: null, error: null };

/** The dictation service as AppCore sees it, reduced to what the coordinator uses. */
class FakeService implements Pick<DictationService, 'start' | 'stop' | 'cancel' | 'onEvent'> {
  calls: string[] = [];
  private listeners = new Set<(e: DictationEvent) => void>();
  finalText = 'from the service';
  async start(): Promise<DictationStatus> { this.calls.push('start'); return { ...idle, state: 'listening' }; }
  async stop(): Promise<FinalTranscript | null> {
    this.calls.push('stop');
    return { sessionId: 's', text: this.finalText, source: 'mic', durationMs: 1000, historyId: null, jobId: null };
  }
  async cancel(): Promise<DictationStatus> { this.calls.push('cancel'); return idle; }
  onEvent(listener: (e: DictationEvent) => void): () => void { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  partial(text: string): void {
    for (const l of this.listeners) l({ name: 'partial', payload: { sessionId: 's', appended: text, text, tokenIds: [] } });
  }
}

const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0)); };

class FakeShortcut {
  registered = new Map<string, () => void>();
  register(accelerator: string, callback: () => void): boolean { this.registered.set(accelerator, callback); return true; }
  unregister(accelerator: string): void { this.registered.delete(accelerator); }
}

async function setup(settings: DictateAnywhereSettings, extra: { globalShortcut?: FakeShortcut; lastTranscript?: () => string | null } = {}) {
  const service = new FakeService();
  let listener: ((e: RawKeyEvent) => void) | null = null;
  const runner = new FakeRunner();
  const desk = await DictateAnywhere.start({
    port: dictationPortFrom(service),
    settings: () => settings,
    runner,
    platform: 'linux',
    env: { DISPLAY: ':9' },
    probe: async () => ({ ok: true, reason: null }),
    loadHook: async () => ({ start: (l) => { listener = l; }, stop: () => { listener = null; } }),
    ...extra,
  });
  const key = (type: 'down' | 'up', name: string, ...mods: ('ctrl' | 'shift')[]) => listener?.({ type, key: name, modifiers: new Set(mods) });
  return { service, desk, runner, key };
}

describe('DictateAnywhere', () => {
  it('a held hotkey runs the service and leaves the text where the settings say (clipboard)', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'Ctrl+Shift+F9', mode: 'hold' }, insertion: { mode: 'clipboard' } };
    const { service, desk, runner, key } = await setup(settings);
    expect(desk.hotkeyStatus).toMatchObject({ backend: 'hook', holdToTalk: true });
    key('down', 'F9', 'ctrl', 'shift');
    await settle();
    expect(desk.coordinator.snapshot().state).toBe('recording');
    service.partial(' live words');
    expect(desk.coordinator.snapshot().text).toBe(' live words');
    key('up', 'F9');
    await new Promise((r) => setTimeout(r, 80)); // release grace
    await settle();
    expect(service.calls).toEqual(['start', 'stop']);
    expect(desk.coordinator.snapshot().state).toBe('idle');
    expect(runner.detached).toEqual([{ file: 'xclip', args: ['-selection', 'clipboard', '-i', '-t', 'UTF8_STRING'], input: 'from the service' }]);
    desk.dispose();
  });

  it('re-binds only when the accelerator changes', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'F9', mode: 'toggle' }, insertion: { mode: 'clipboard' } };
    const { desk, key, service } = await setup(settings);
    const first = desk.hotkeyStatus;
    expect(await desk.applySettings()).toBe(first);
    expect(await desk.applySettings(true)).not.toBe(first);
    settings.hotkey.accelerator = 'F10';
    await desk.applySettings();
    key('down', 'F9');
    await settle();
    expect(service.calls).toEqual([]);
    key('down', 'F10');
    await settle();
    expect(service.calls).toEqual(['start']);
    desk.dispose();
  });

  it('the paste-last hotkey inserts the last transcript; changing only it leaves the dictation hotkey bound', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'Ctrl+Shift+F9', mode: 'hold', pasteLast: 'Ctrl+Alt+V' }, insertion: { mode: 'clipboard' } };
    const globalShortcut = new FakeShortcut();
    const { desk, runner, service } = await setup(settings, { globalShortcut, lastTranscript: () => 'from History' });
    expect(desk.pasteLastStatus).toEqual({ accelerator: 'Ctrl+Alt+V', works: true, message: null });
    globalShortcut.registered.get('Control+Alt+V')!();
    await new Promise((r) => setTimeout(r, 60)); // the hook's look for the chord's key-up
    await settle();
    expect(runner.detached.map((c) => c.input)).toEqual(['from History']);
    expect(service.calls).toEqual([]);
    const hotkey = desk.hotkeyStatus;
    settings.hotkey.pasteLast = 'Ctrl+Shift+F9';
    await desk.applySettings();
    expect(desk.hotkeyStatus).toBe(hotkey);
    expect(desk.pasteLastStatus).toMatchObject({ works: false, message: expect.stringContaining('is the dictation hotkey') });
    expect([...globalShortcut.registered.keys()]).toEqual(['Control+Shift+F9']);
    settings.hotkey.pasteLast = '';
    await desk.applySettings();
    expect(desk.pasteLastStatus).toBeNull();
    desk.dispose();
  });

  it('copyLast puts paste-last’s text on the clipboard for good (the tray’s item); with none, nothing', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'Ctrl+Shift+F9', mode: 'hold' }, insertion: { mode: 'clipboard' } };
    let newest: string | null = null;
    const { desk, runner } = await setup(settings, { lastTranscript: () => newest });
    expect(desk.coordinator.latestText()).toBeNull();
    expect(await desk.copyLast()).toBe(false);
    expect(runner.detached).toEqual([]);
    newest = 'from History';
    expect(await desk.copyLast()).toBe(true);
    expect(runner.detached).toEqual([{ file: 'xclip', args: ['-selection', 'clipboard', '-i', '-t', 'UTF8_STRING'], input: 'from History' }]);
    desk.dispose();
  });

  it('per-app: the focused app’s rule picks the mode; the apps dictated into are reported, most recent first', async () => {
    let windowClass = '"Navigator", "firefox"';
    const runner = new FakeRunner((file) => {
      if (file === 'xdotool') return (args) => (args[0] === 'getactivewindow' ? { stdout: Buffer.from('42\n') } : {});
      if (file === 'xprop') return () => ({ stdout: Buffer.from(`WM_CLASS(STRING) = ${windowClass}\n`) });
      return undefined;
    });
    const service = new FakeService();
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'F9', mode: 'toggle' }, insertion: { mode: 'type', perApp: [{ app: 'Slack', mode: 'clipboard' }] } };
    const reports: string[][] = [];
    const desk = await DictateAnywhere.start({
      port: dictationPortFrom(service), settings: () => settings, runner, platform: 'linux', env: { DISPLAY: ':9' },
      probe: async () => ({ ok: false, reason: 'none here' }), loadHook: async () => { throw new Error('unused'); },
      onRecentApps: (apps) => reports.push(apps),
    });
    expect(desk.insertionStatus()).toMatchObject({ knowsApps: true, recentApps: [] });
    const dictate = async (text: string) => {
      service.finalText = text;
      desk.coordinator.toggle();
      await settle();
      desk.coordinator.toggle();
      await vi.waitFor(() => expect(desk.coordinator.snapshot().state).toBe('idle'));
    };
    await dictate('to the browser');
    expect(runner.runs.some((r) => r.file === 'xdotool' && r.args[0] === 'type')).toBe(true); // typed: no rule for firefox
    windowClass = '"slack", "Slack"';
    await dictate('to the chat');
    expect(runner.detached.map((d) => d.input)).toContain('to the chat'); // left on the clipboard, as the rule says
    expect(reports).toEqual([['firefox'], ['Slack', 'firefox']]);
    await dictate('again');
    expect(reports).toHaveLength(2); // no change, no report
    expect(desk.insertionStatus().recentApps).toEqual(['Slack', 'firefox']);
    desk.dispose();
  });

  it('Wayland: the hotkey binds through the portal for hold-to-talk; an answer after applySettings() is reported', async () => {
    let answer!: (r: { ok: true; trigger: string | null }) => void;
    let handlers: { down(): void; up(): void } | null = null;
    const portal = {
      bind: (_b: unknown, h: { down(): void; up(): void }) => new Promise<{ ok: true; trigger: string | null }>((r) => { answer = r; handlers = h; }),
      unbind: () => undefined,
      isClosed: () => false,
      close: () => undefined,
    };
    const reported: string[] = [];
    const service = new FakeService();
    const desk = await DictateAnywhere.start({
      port: dictationPortFrom(service), settings: () => ({ hotkey: { accelerator: 'Ctrl+Shift+F9', mode: 'hold' }, insertion: { mode: 'clipboard' } }),
      runner: new FakeRunner(), platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' },
      probe: async () => ({ ok: false, reason: 'Wayland does not let apps see key releases globally' }), loadHook: async () => { throw new Error('unused'); },
      portal: async () => portal, portalAnswerWaitMs: 20, onHotkeyStatus: (s) => reported.push(s.backend),
    });
    expect(desk.hotkeyStatus).toMatchObject({ backend: 'none', message: expect.stringContaining('Confirm the shortcut') });
    answer({ ok: true, trigger: null });
    await expect.poll(() => reported).toEqual(['portal']);
    expect(desk.hotkeyStatus).toMatchObject({ backend: 'portal', holdToTalk: true });
    handlers!.down();
    await settle();
    expect(desk.coordinator.snapshot().state).toBe('recording');
    handlers!.up();
    await vi.waitFor(() => expect(service.calls).toEqual(['start', 'stop']));
    desk.dispose();
  });

  it('says what is missing for insertion', async () => {
    const { desk, runner } = await setup({ hotkey: { accelerator: 'F9', mode: 'hold' }, insertion: { mode: 'paste' } });
    runner.installed = new Set(['xclip']);
    expect(desk.insertionStatus()).toEqual({ available: false, detail: expect.stringMatching(/needs xdotool/), knowsApps: false, recentApps: [] });
    runner.installed = new Set(['xclip', 'xdotool']);
    expect(desk.insertionStatus()).toEqual({ available: true, detail: 'X11 (xdotool, xclip)', knowsApps: true, recentApps: [] });
    desk.dispose();
  });

  it('Escape cancels the running dictation: the service cancels, nothing is inserted; idle, Escape does nothing', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'F9', mode: 'toggle' }, insertion: { mode: 'clipboard' } };
    const { service, desk, runner, key } = await setup(settings);
    key('down', 'Escape');
    await settle();
    expect(service.calls).toEqual([]);
    expect(desk.cancelKeyWorks).toBe(false);
    key('down', 'F9'); key('up', 'F9');
    await settle();
    expect(desk.coordinator.snapshot().state).toBe('recording');
    expect(desk.cancelKeyWorks).toBe(true);
    service.partial(' words to throw away');
    key('down', 'Escape'); key('up', 'Escape');
    await settle();
    expect(desk.coordinator.snapshot()).toMatchObject({ state: 'idle', notice: 'Cancelled' });
    expect(service.calls).toEqual(['start', 'cancel']);
    expect(desk.cancelKeyWorks).toBe(false);
    key('down', 'Escape');
    await settle();
    expect(service.calls).toEqual(['start', 'cancel']);
    expect(runner.detached).toEqual([]);
    desk.dispose();
  });

  it('an empty final transcript from the service means nothing is inserted', async () => {
    const settings: DictateAnywhereSettings = { hotkey: { accelerator: 'F9', mode: 'toggle' }, insertion: { mode: 'clipboard' } };
    const { service, desk, runner, key } = await setup(settings);
    service.finalText = '';
    key('down', 'F9'); key('up', 'F9');
    await settle();
    await new Promise((r) => setTimeout(r, 40)); // past the debounce window
    key('down', 'F9'); key('up', 'F9');
    await settle();
    expect(desk.coordinator.snapshot()).toMatchObject({ state: 'idle', notice: 'Nothing was heard' });
    expect(runner.detached).toEqual([]);
    desk.dispose();
  });
});
