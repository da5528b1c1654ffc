// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../electron/common/ipc-contract';
import { AppCore } from '../../electron/core/app/app-core';
import type { DictationEvent, ModelService } from '../../electron/core/app/services';
import { UnavailableDictationService } from '../../electron/core/app/unavailable-services';
import { App } from '../../renderer/src/App';
import { createClient } from '../../renderer/src/ipc/client';
import { connectStore, createAppStore, type AppStore } from '../../renderer/src/stores/app-store';
import { StoreProvider } from '../../renderer/src/stores/store-context';
import { viewFromHash } from '../../renderer/src/stores/ui-slice';
import { inProcessApi } from './in-process-api';

let dir = '';
let core: AppCore;
let store: AppStore;
let disconnect: () => void;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vxd-views-'));
  core = await AppCore.create({ configDir: dir, log: () => undefined });
});

afterEach(async () => {
  cleanup();
  disconnect?.();
  await core.close();
  await rm(dir, { recursive: true, force: true });
});

function renderApp() {
  const client = createClient(inProcessApi(core), () => undefined);
  store = createAppStore(client);
  disconnect = connectStore(store, client);
  return render(<StoreProvider store={store}><App /></StoreProvider>);
}

const tab = (name: 'Dictate' | 'History' | 'Settings') =>
  within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name });

describe('renderer views against the real core', () => {
  it('dictation view: idle, no model hint, and the core’s error on start', async () => {
    renderApp();
    await waitFor(() => expect(screen.getByTestId('no-model').textContent).toContain('No model of your own chosen'));
    expect(screen.getByTestId('dictation-state').textContent).toBe('Ready');
    fireEvent.click(screen.getByRole('button', { name: 'Start dictation' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('No model loaded. Choose a model file in Settings.'));
  });

  it('dictation view: the hint names the hotkey as the platform writes it, and only where it works', async () => {
    renderApp();
    const hint = () => screen.getByTestId('transcript').textContent;
    await waitFor(() => expect(hint()).toMatch(/^Press Start and speak\./)); // the harness: no global hotkey
    const hotkey = { accelerator: 'CommandOrControl+Shift+Space', label: 'Shift+Cmd+Space', works: true, holdToTalk: true, message: null, conflicts: [], pasteLast: null };
    act(() => core.setDesktopStatus({ hotkey, insertion: null }));
    await waitFor(() => expect(hint()).toMatch(/^Press Start or Shift\+Cmd\+Space and speak\./));
    act(() => core.setDesktopStatus({ hotkey: { ...hotkey, works: false, message: 'taken by another app' }, insertion: null }));
    await waitFor(() => expect(hint()).toMatch(/^Press Start and speak\./));
  });

  it('dictation view: armed for start-on-speech reads "Waiting for speech"', async () => {
    renderApp();
    await waitFor(() => expect(store.getState().settings).not.toBeNull());
    const idle = { state: 'idle', since: Date.now(), sessionId: null, source: null, error: null } as const;
    act(() => store.getState().applyStatus({ ...idle, handsFree: { available: true, reason: null, armed: true } }));
    expect(screen.getByTestId('dictation-state').textContent).toBe('Waiting for speech');
    // A microphone that cannot be opened does not read as waiting (the capture driver retries it).
    act(() => store.setState({ dictationError: { code: 'unavailable', message: 'The microphone could not be opened: gone.' } }));
    expect(screen.getByTestId('dictation-state').textContent).toBe('Microphone unavailable');
    act(() => store.setState({ dictationError: null }));
    expect(screen.getByTestId('dictation-state').textContent).toBe('Waiting for speech');
    act(() => store.getState().applyStatus({ ...idle, handsFree: { available: true, reason: null, armed: false } }));
    expect(screen.getByTestId('dictation-state').textContent).toBe('Ready');
  });

  it('dictation view: live transcript and elapsed time follow the core’s events', async () => {
    renderApp();
    await waitFor(() => expect(store.getState().settings).not.toBeNull());
    act(() => {
      store.getState().applyStatus({ state: 'listening', since: Date.now() - 65_000, sessionId: 's1', source: 'mic', error: null });
      store.getState().applyPartial({ sessionId: 's1', appended: 'Hello', text: 'Hello', tokenIds: [1] });
      store.getState().applyPartial({ sessionId: 's1', appended: ' world', text: 'Hello world', tokenIds: [2] });
    });
    expect(screen.getByTestId('dictation-state').textContent).toBe('Listening');
    expect(screen.getByTestId('transcript').textContent).toBe('Hello world');
    expect(screen.getByLabelText('Elapsed time').textContent).toMatch(/^1:0[5-6]$/);
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(screen.getByTestId('speech-indicator').getAttribute('aria-label')).toBe('No speech');
    act(() => store.getState().applySpeech({ sessionId: 's1', speaking: true }));
    expect(screen.getByTestId('speech-indicator').getAttribute('aria-label')).toBe('Speech detected');
    act(() => store.getState().applySpeech({ sessionId: 'old-session', speaking: false }));
    expect(screen.getByTestId('speech-indicator').getAttribute('aria-label')).toBe('Speech detected');
    act(() => store.getState().applyStatus({ state: 'listening', since: Date.now(), sessionId: 's2', source: 'mic', error: null }));
    expect(screen.getByTestId('transcript').textContent).not.toContain('Hello'); // a new session starts clean
    // Escape cancels, as the Cancel button does: the core answers with its (idle) status.
    expect(screen.getByRole('button', { name: 'Cancel' }).getAttribute('aria-keyshortcuts')).toBe('Escape');
    fireEvent.keyDown(window, { key: 'Escape', shiftKey: true }); // not plain Escape
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.getByTestId('dictation-state').textContent).toBe('Ready'));
  });

  it('settings view: a change is saved by the core, and an invalid one is refused and rolled back', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const spacing = await screen.findByRole('checkbox', { name: /Space between dictations/ }) as HTMLInputElement;
    expect(spacing.checked).toBe(true);
    fireEvent.click(spacing);
    await waitFor(() => expect(core.settings.get().insertion.spaceBetween).toBe(false));
    const clipboard = await screen.findByRole('radio', { name: /Clipboard only/ });
    fireEvent.click(clipboard);
    await waitFor(async () => expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).insertion.mode).toBe('clipboard'));
    expect((screen.getByRole('radio', { name: /Clipboard only/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole('checkbox', { name: /Space between dictations/ })).toBeNull(); // nothing is inserted to space

    const keepOpen = screen.getByLabelText('Keep it open') as HTMLSelectElement;
    expect(keepOpen.value).toBe('always');
    fireEvent.change(keepOpen, { target: { value: 'dictating' } });
    await waitFor(async () => expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).microphone.keepOpen).toBe('dictating'));
    expect(screen.getByText(/The system shows the microphone as off between dictations/)).toBeTruthy();

    fireEvent.click(screen.getByRole('checkbox', { name: /Play sounds/ }));
    await waitFor(() => expect(core.settings.get().playSounds).toBe(true));

    const keepAudio = screen.getByLabelText('Keep recordings') as HTMLSelectElement;
    expect(keepAudio.value).toBe('week');
    expect([...keepAudio.options].map((o) => o.textContent)).toEqual(['Off', 'For a week', 'For a month', 'Until I delete the entry']);
    fireEvent.change(keepAudio, { target: { value: 'off' } });
    await waitFor(() => expect(core.settings.get().history.keepAudio).toBe('off'));
    expect(screen.getByText(/turning this off deletes the recordings kept so far/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: /Keep history/ }));
    await waitFor(() => expect(core.settings.get().history.enabled).toBe(false));
    expect(screen.queryByLabelText('Keep recordings')).toBeNull(); // nothing to keep recordings with

    const unload = screen.getByLabelText('Free its memory when unused') as HTMLSelectElement;
    expect([...unload.options].map((o) => o.textContent)).toEqual(['Never (keep it loaded)', 'After 5 minutes unused', 'After 15 minutes unused', 'After 1 hour unused']);
    fireEvent.change(unload, { target: { value: '15' } });
    await waitFor(() => expect(core.settings.get().engine.unloadAfterMinutes).toBe(15));
    expect(screen.getByText(/The next dictation loads it again first/)).toBeTruthy();

    const threads = screen.getByLabelText('CPU threads') as HTMLInputElement;
    fireEvent.change(threads, { target: { value: '9999' } });
    fireEvent.blur(threads);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('engine.threads must be <= 256'));
    expect(store.getState().settings?.engine.threads).toBe(0);
    expect(core.settings.get().engine.threads).toBe(0);
  });

  it('settings view: the shortcut recorded by pressing it, a right-hand modifier alone too; Escape stops recording', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const recordButton = await screen.findByRole('button', { name: 'Record…' });
    fireEvent.click(recordButton);
    expect(recordButton.getAttribute('aria-pressed')).toBe('true');
    fireEvent.keyDown(window, { code: 'ControlLeft', key: 'Control', ctrlKey: true });
    fireEvent.keyDown(window, { code: 'ShiftLeft', key: 'Shift', ctrlKey: true, shiftKey: true });
    fireEvent.keyDown(window, { code: 'KeyD', key: 'D', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(core.settings.get().hotkey.accelerator).toBe('Ctrl+Shift+D'));
    expect((screen.getByLabelText('Keys') as HTMLInputElement).value).toBe('Ctrl+Shift+D');

    fireEvent.click(screen.getByRole('button', { name: 'Record…' }));
    fireEvent.keyDown(window, { code: 'ControlRight', key: 'Control', ctrlKey: true });
    fireEvent.keyUp(window, { code: 'ControlRight', key: 'Control' });
    await waitFor(() => expect(core.settings.get().hotkey.accelerator).toBe('RightCtrl'));

    fireEvent.click(screen.getByRole('button', { name: 'Record…' }));
    fireEvent.keyDown(window, { code: 'Escape', key: 'Escape' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Record…' }).getAttribute('aria-pressed')).toBe('false'));
    expect(core.settings.get().hotkey.accelerator).toBe('RightCtrl');
  });

  it('settings view: the paste-last shortcut typed, recorded, cleared, and its status shown', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const field = (await screen.findByLabelText('Paste last transcript')) as HTMLInputElement;
    expect(field.value).toBe('');
    expect(screen.queryByRole('button', { name: 'Clear' })).toBeNull();
    fireEvent.change(field, { target: { value: ' Ctrl+Alt+V ' } });
    fireEvent.blur(field);
    await waitFor(() => expect(core.settings.get().hotkey.pasteLast).toBe('Ctrl+Alt+V'));
    fireEvent.click(screen.getByRole('button', { name: 'Record the paste-last keys' }));
    fireEvent.keyDown(window, { code: 'KeyZ', key: 'Z', altKey: true, shiftKey: true });
    await waitFor(() => expect(core.settings.get().hotkey.pasteLast).toBe('Alt+Shift+Z'));
    expect(core.settings.get().hotkey.accelerator).toBe('CommandOrControl+Shift+Space'); // the dictation hotkey is untouched
    const status = (pasteLast: { accelerator: string; label: string; works: boolean; message: string | null } | null) => act(() => core.setDesktopStatus({
      hotkey: { accelerator: 'F9', label: 'F9', works: true, holdToTalk: true, message: null, conflicts: [], pasteLast }, insertion: null,
    }));
    status({ accelerator: 'Alt+Shift+Z', label: 'Option+Shift+Z', works: true, message: null });
    await waitFor(() => expect(screen.getByTestId('paste-last-status').textContent).toBe('Option+Shift+Z pastes your last dictation into the focused app.'));
    status({ accelerator: 'Alt+Shift+Z', label: 'Alt+Shift+Z', works: false, message: 'Alt+Shift+Z is already taken by another application.' });
    await waitFor(() => expect(screen.getByTestId('paste-last-status').textContent).toBe('Alt+Shift+Z is already taken by another application.'));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(core.settings.get().hotkey.pasteLast).toBe(''));
    status(null);
    await waitFor(() => expect(screen.queryByTestId('paste-last-status')).toBeNull());
  });

  it('settings view: per-app modes added (from the apps dictated into), changed, removed; said when X11 cannot tell apps', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const card = await screen.findByTestId('app-modes');
    expect(within(card).queryByTestId('app-modes-unavailable')).toBeNull(); // the harness says nothing either way
    act(() => core.setDesktopStatus({ hotkey: null, insertion: { available: true, detail: 'xdotool', knowsApps: true, recentApps: ['Slack', 'firefox'] } }));
    await waitFor(() => expect(within(card).getByTestId('recent-apps').textContent).toBe('Dictated into lately: Slack, firefox'));
    const options = () => [...card.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value);
    expect(options()).toEqual(['Slack', 'firefox']);
    fireEvent.change(within(card).getByLabelText('App'), { target: { value: 'Slack' } });
    fireEvent.change(within(card).getByLabelText('Mode'), { target: { value: 'clipboard' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(core.settings.get().insertion.perApp).toEqual([{ app: 'Slack', mode: 'clipboard' }]));
    expect(options()).toEqual(['firefox']); // an app with a rule is no longer offered
    fireEvent.click(within(card).getByRole('button', { name: 'Add' }));
    expect(within(card).getByRole('alert').textContent).toBe('Name the app (its window class, e.g. firefox).');
    fireEvent.change(within(card).getByLabelText('Mode for Slack'), { target: { value: 'type' } });
    await waitFor(() => expect(core.settings.get().insertion.perApp).toEqual([{ app: 'Slack', mode: 'type' }]));
    fireEvent.click(within(card).getByRole('button', { name: 'Remove Slack' }));
    await waitFor(() => expect(core.settings.get().insertion.perApp).toEqual([]));
    act(() => core.setDesktopStatus({ hotkey: null, insertion: { available: true, detail: 'wtype', knowsApps: false, recentApps: [] } }));
    await waitFor(() => expect(within(card).getByTestId('app-modes-unavailable').textContent).toContain('on Wayland only sway and Hyprland do'));
  });

  it('settings view: replacements are added, replaced by spoken form, removed, and saved by the core', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const card = await screen.findByTestId('replacements');
    const say = within(card).getByLabelText('When I say');
    const write = within(card).getByLabelText('Write');
    const add = within(card).getByRole('button', { name: 'Add' });
    const saved = async () => JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).replacements.rules;

    fireEvent.click(add);
    expect(within(card).getByRole('alert').textContent).toBe('Say which words to replace.');
    fireEvent.change(say, { target: { value: '  new   paragraph ' } });
    fireEvent.change(write, { target: { value: '\\n\\n' } });
    fireEvent.click(add);
    await waitFor(async () => expect(await saved()).toEqual([{ spoken: 'new paragraph', written: '\n\n' }]));
    expect(within(card).queryByRole('alert')).toBeNull();
    expect((say as HTMLInputElement).value).toBe('');
    expect(within(card).getByText('\\n\\n').tagName).toBe('CODE');

    fireEvent.change(say, { target: { value: 'um' } });
    fireEvent.click(add);
    fireEvent.change(say, { target: { value: 'New Paragraph' } });
    fireEvent.change(write, { target: { value: '¶' } });
    fireEvent.click(add);
    await waitFor(async () => expect(await saved()).toEqual([{ spoken: 'um', written: '' }, { spoken: 'New Paragraph', written: '¶' }]));
    expect(within(card).getByText('(nothing)')).toBeTruthy();

    fireEvent.click(within(card).getByRole('button', { name: 'Remove um' }));
    await waitFor(async () => expect(await saved()).toEqual([{ spoken: 'New Paragraph', written: '¶' }]));
    expect(core.settings.get().replacements.rules).toEqual([{ spoken: 'New Paragraph', written: '¶' }]);
  });

  it('settings view: says whether the global hotkey and insertion work here', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    await screen.findByRole('radio', { name: /Hold or tap/ });
    expect(screen.queryByTestId('hotkey-status')).toBeNull(); // the harness has no global hotkey: nothing to say
    act(() => core.setDesktopStatus({
      hotkey: { accelerator: 'Ctrl+Space', label: 'Ctrl+Space', works: true, holdToTalk: false, message: 'Hold-to-talk is unavailable (Wayland); the hotkey toggles dictation instead.', conflicts: ['Ctrl+Space switches input methods.'], pasteLast: null },
      insertion: { available: false, detail: 'install xdotool', knowsApps: false, recentApps: [] },
    }));
    await waitFor(() => expect(screen.getByTestId('hotkey-status').textContent).toContain('the hotkey toggles dictation instead'));
    expect(screen.getByTestId('hotkey-status').textContent).toContain('Ctrl+Space switches input methods.');
    expect(screen.getByTestId('insertion-status').textContent).toBe('Text cannot reach other apps yet: install xdotool');
    // Named as the platform labels its keys, not as set.
    act(() => core.setDesktopStatus({ hotkey: { accelerator: 'CommandOrControl+Shift+F9', label: 'Shift+Cmd+F9', works: true, holdToTalk: true, message: null, conflicts: [], pasteLast: null }, insertion: { available: true, detail: 'xdotool', knowsApps: true, recentApps: [] } }));
    await waitFor(() => expect(screen.getByTestId('hotkey-status').textContent).toBe('Shift+Cmd+F9 works everywhere: hold to talk or tap to toggle.'));
    expect(screen.queryByTestId('insertion-status')).toBeNull();
  });

  it('settings view: the user\'s words are added (several at once, a word again in another case replacing it), refused when not one word, removed, and saved', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    const card = await screen.findByTestId('vocabulary');
    const input = within(card).getByLabelText('Words');
    const add = within(card).getByRole('button', { name: 'Add' });
    const saved = async () => JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).replacements.words;

    fireEvent.change(input, { target: { value: 'voxtral, Kubernetes' } });
    fireEvent.click(add);
    await waitFor(async () => expect(await saved()).toEqual(['voxtral', 'Kubernetes']));
    expect((input as HTMLInputElement).value).toBe('');
    fireEvent.change(input, { target: { value: 'Voxtral' } });
    fireEvent.click(add);
    await waitFor(async () => expect(await saved()).toEqual(['Kubernetes', 'Voxtral']));
    fireEvent.change(input, { target: { value: 'C++' } });
    fireEvent.click(add);
    expect(within(card).getByRole('alert').textContent).toMatch(/^"C\+\+" is not one word of letters and digits/);
    fireEvent.click(within(card).getByRole('button', { name: 'Remove Kubernetes' }));
    await waitFor(async () => expect(await saved()).toEqual(['Voxtral']));
    expect(core.settings.get().replacements).toEqual({ rules: [], words: ['Voxtral'] });
  });

  it('shows a notice when the core had to repair the settings file', async () => {
    await core.close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'settings.json'), '{not json');
    core = await AppCore.create({ configDir: dir, log: () => undefined });
    renderApp();
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/settings file could not be read.*settings\.corrupt-/));
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText(/settings file could not be read/)).toBeNull();
  });

  it('an engine failure before any word: the error offers to transcribe its recording again, which History kept', async () => {
    await core.close();
    let listener: (event: DictationEvent) => void = () => undefined;
    const filesAsked: string[] = [];
    let tap: (frame: Float32Array, sessionId: string) => void = () => undefined;
    const idle = { state: 'idle', since: 0, sessionId: null, source: null, error: null } as const;
    const service = Object.assign(new UnavailableDictationService(() => core.settings.get()), {
      status: () => idle,
      onEvent: (l: (event: DictationEvent) => void) => { listener = l; return () => undefined; },
      transcribeFile: async (file: string) => { filesAsked.push(file); return { jobId: '7a1c2d3e-0000-4000-8000-000000000001' }; },
    });
    core = await AppCore.create({ configDir: dir, log: () => undefined, createDictation: (deps) => { tap = deps.audioTap; return service; } });
    renderApp();
    // A dictation that heard 1.6 s, then its engine failed before any word.
    const listening = { state: 'listening', since: 1, sessionId: 's1', source: 'mic', error: null } as const;
    act(() => listener({ name: 'state', payload: listening }));
    for (let i = 0; i < 20; i++) tap(new Float32Array(1280).fill(0.1), 's1');
    const error = { code: 'engine', message: 'The speech engine failed: CUDA error 700.' } as const;
    act(() => listener({ name: 'state', payload: { ...listening, state: 'error', error } }));
    act(() => listener({ name: 'error', payload: { ...error, keptText: false, sessionId: 's1' } }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('The speech engine failed: CUDA error 700. Its recording is kept in History.'));
    const [entry] = core.history.list(0, 10).entries;
    fireEvent.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Transcribe it again' }));
    await waitFor(() => expect(filesAsked).toEqual([core.recordingFile(entry.id)]));
    await waitFor(() => expect(screen.getByTestId('file-job').textContent).toContain("Transcribing the failed dictation's recording…"));
  });

  it('history view: an entry\'s text corrected in place, saved by the core; Escape leaves it as it was', async () => {
    const meta = { model: null, backend: 'cpu', dtype: 'fp32', source: 'mic' } as const;
    const entry = await core.history.add({ ...meta, text: 'Meet Anna at the bark.' });
    const running = await core.history.begin({ ...meta, text: 'still talking' });
    renderApp();
    fireEvent.click(tab('History'));
    const row = () => screen.getAllByTestId('history-entry').find((e) => e.dataset.entryId === entry.id)!;
    await waitFor(() => expect(screen.getAllByTestId('history-entry')).toHaveLength(2));
    // A dictation still being written cannot be edited.
    const runningRow = screen.getAllByTestId('history-entry').find((e) => e.textContent?.includes('still talking'))!;
    expect(within(runningRow).queryByRole('button', { name: 'Edit' })).toBeNull();
    fireEvent.click(within(row()).getByRole('button', { name: 'Edit' }));
    const box = within(row()).getByLabelText('Transcript text') as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'Meet Anna at the park.' } });
    fireEvent.keyDown(box, { key: 'Escape' });
    await waitFor(() => expect(row().querySelector('.history-text')?.textContent).toBe('Meet Anna at the bark.'));
    fireEvent.click(within(row()).getByRole('button', { name: 'Edit' }));
    fireEvent.change(within(row()).getByLabelText('Transcript text'), { target: { value: 'Meet Anna at the park.' } });
    fireEvent.click(within(row()).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(row().querySelector('.history-text')?.textContent).toBe('Meet Anna at the park.'));
    expect(core.history.get(entry.id)?.text).toBe('Meet Anna at the park.');
    expect(screen.queryByTestId('learned-words')).toBeNull(); // an ordinary word corrected: nothing to learn
    expect(await core.call('editHistoryEntry', { id: running.id, text: 'x' })).toMatchObject({ ok: false, error: { code: 'busy' } });
    expect(await core.call('editHistoryEntry', { id: '00000000-0000-4000-8000-000000000000', text: 'x' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('history view: what a correction taught is offered (words for Your words, a phrase as a replacement), added in one click or declined', async () => {
    const meta = { model: null, backend: 'cpu', dtype: 'fp32', source: 'mic' } as const;
    const entry = await core.history.add({ ...meta, text: 'the voxtrel fork is on github now, ask vox troll' });
    renderApp();
    fireEvent.click(tab('History'));
    const row = () => screen.getAllByTestId('history-entry').find((e) => e.dataset.entryId === entry.id)!;
    await waitFor(() => expect(screen.getAllByTestId('history-entry')).toHaveLength(1));
    const correct = (text: string) => {
      fireEvent.click(within(row()).getByRole('button', { name: 'Edit' }));
      fireEvent.change(within(row()).getByLabelText('Transcript text'), { target: { value: text } });
      fireEvent.click(within(row()).getByRole('button', { name: 'Save' }));
    };
    correct('The Voxtral fork is on GitHub now, ask Voxtral');
    const prompt = await within(row()).findByTestId('learned-words');
    expect(within(prompt).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'Add “Voxtral” to your words', 'Add “GitHub” to your words', 'Write “vox troll” as “Voxtral”', 'No thanks',
    ]);
    fireEvent.click(within(prompt).getByRole('button', { name: 'Add “GitHub” to your words' }));
    await waitFor(() => expect(core.settings.get().replacements.words).toEqual(['GitHub']));
    fireEvent.click(within(row()).getByRole('button', { name: 'Write “vox troll” as “Voxtral”' }));
    await waitFor(() => expect(core.settings.get().replacements.rules).toEqual([{ spoken: 'vox troll', written: 'Voxtral' }]));
    await waitFor(() => expect(within(row()).getAllByRole('button').filter((b) => b.closest('[data-testid="learned-words"]')).map((b) => b.textContent))
      .toEqual(['Add “Voxtral” to your words', 'No thanks']));
    fireEvent.click(within(row()).getByRole('button', { name: 'No thanks' }));
    await waitFor(() => expect(screen.queryByTestId('learned-words')).toBeNull());
    expect(core.settings.get().replacements).toEqual({ rules: [{ spoken: 'vox troll', written: 'Voxtral' }], words: ['GitHub'] });
    // A word already listed is not offered again.
    correct('The Voxtral fork is on GitHub now, ask Voxtral.');
    await waitFor(() => expect(core.history.get(entry.id)?.text).toBe('The Voxtral fork is on GitHub now, ask Voxtral.'));
    expect(screen.queryByTestId('learned-words')).toBeNull();
  });

  it('history view: entries from the core, clear all with confirmation', async () => {
    const meta = { model: null, backend: 'cpu', dtype: 'fp32', source: 'mic' } as const;
    await core.history.add({ ...meta, text: 'first thought' });
    await core.history.add({ ...meta, text: 'second thought' });
    renderApp();
    fireEvent.click(tab('History'));
    await waitFor(() => expect(screen.getAllByTestId('history-entry').map((e) => e.querySelector('.history-text')?.textContent)).toEqual(['second thought', 'first thought']));
    fireEvent.click(screen.getByRole('button', { name: 'Clear all' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete all' }));
    await waitFor(() => expect(screen.queryAllByTestId('history-entry')).toHaveLength(0));
    expect(core.history.list(0, 10).total).toBe(0);
  });
});

describe('navigation from main', () => {
  it('opens the view main asks for (tray: Settings…, History…)', async () => {
    const api = inProcessApi(core);
    let navigate: ((payload: unknown) => void) | null = null;
    const client = createClient({ ...api, on: { ...api.on, navigate: (listener: (payload: unknown) => void) => { navigate = listener; return () => undefined; } } } as never, () => undefined);
    store = createAppStore(client);
    disconnect = connectStore(store, client);
    render(<StoreProvider store={store}><App /></StoreProvider>);
    act(() => navigate!({ view: 'history' }));
    expect(screen.getByRole('heading', { name: 'History' })).toBeTruthy();
    act(() => navigate!({ view: 'nowhere' })); // invalid: dropped by the client
    expect(store.getState().view).toBe('history');
  });

  it('reads the first view from the page hash', () => {
    expect(viewFromHash('#settings')).toBe('settings');
    expect(viewFromHash('#history')).toBe('history');
    expect(viewFromHash('')).toBe('dictate');
    expect(viewFromHash('#constructor')).toBe('dictate');
  });
});

describe('file dialogs through the core', () => {
  async function coreWithChooser(answers: (string | null)[]) {
    await core.close();
    const asked: string[] = [];
    core = await AppCore.create({
      configDir: dir, log: () => undefined,
      files: { choose: async (purpose) => { asked.push(purpose); return answers.shift() ?? null; } },
    });
    return asked;
  }

  it('History → Export… saves the transcripts where the user chose, and says where', async () => {
    await core.close();
    const out = path.join(dir, 'history-export.txt');
    core = await AppCore.create({
      configDir: dir, log: () => undefined,
      files: { choose: async () => null, chooseSaveFile: async () => out },
    });
    await core.history.add({ model: null, backend: 'cpu', dtype: 'fp32', source: 'mic', text: 'an idea worth keeping' });
    renderApp();
    fireEvent.click(tab('History'));
    fireEvent.click(await screen.findByRole('button', { name: 'Export…' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain(`Exported 1 transcript to ${out}.`));
    expect(await readFile(out, 'utf8')).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\] an idea worth keeping\n$/);
  });

  it('History → Save subtitles… on a transcribed file\'s entry writes them where the user chose', async () => {
    const entry = await core.history.add({ model: null, backend: 'cpu', dtype: 'fp32', source: 'file', text: 'Hello there.' });
    await core.close();
    await mkdir(path.join(dir, 'timings'), { recursive: true });
    await writeFile(path.join(dir, 'timings', `${entry.id}.json`), JSON.stringify({ words: [['Hello', 320, 400], ['there.', 480, 640]] }));
    const out = path.join(dir, 'hello.vtt');
    core = await AppCore.create({ configDir: dir, log: () => undefined, files: { choose: async () => null, chooseSaveFile: async () => out } });
    renderApp();
    fireEvent.click(tab('History'));
    fireEvent.click(await screen.findByRole('button', { name: 'Save subtitles…' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain(`Subtitles saved to ${out}.`));
    expect(await readFile(out, 'utf8')).toBe('WEBVTT\n\n00:00:00.320 --> 00:00:01.120\nHello there.\n');
  });

  it('Browse… saves the chosen model path; a cancelled dialog changes nothing', async () => {
    const asked = await coreWithChooser(['/models/voxtral.pte', null]);
    renderApp();
    fireEvent.click(tab('Settings'));
    fireEvent.click(await screen.findByRole('button', { name: 'Browse for the model program' }));
    await waitFor(() => expect((screen.getByLabelText('Model program (.pte)') as HTMLInputElement).value).toBe('/models/voxtral.pte'));
    expect(core.settings.get().model.pte).toBe('/models/voxtral.pte');
    fireEvent.click(screen.getByRole('button', { name: 'Browse for the model weights' }));
    await waitFor(() => expect(asked).toEqual(['model-program', 'model-weights']));
    expect(core.settings.get().model.ptd).toBeNull();
  });

  it('Transcribe a file… asks for an audio file and shows why it cannot run yet', async () => {
    const asked = await coreWithChooser(['/audio/interview.wav']);
    renderApp();
    fireEvent.click(await screen.findByRole('button', { name: 'Transcribe a file…' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('No model loaded. Choose a model file in Settings.'));
    expect(asked).toEqual(['audio']);
  });

  it('Transcribe a file… takes several files at once and transcribes them in turn', async () => {
    await core.close();
    let listener: (event: DictationEvent) => void = () => undefined;
    const started: string[] = [];
    const idle = { state: 'idle', since: 0, sessionId: null, source: null, error: null } as const;
    const service = Object.assign(new UnavailableDictationService(() => core.settings.get()), {
      status: () => idle,
      onEvent: (l: (event: DictationEvent) => void) => { listener = l; return () => undefined; },
      transcribeFile: async (file: string) => { started.push(file); return { jobId: `7a1c2d3e-0000-4000-8000-00000000000${started.length}` }; },
    });
    const many: string[] = [];
    core = await AppCore.create({
      configDir: dir, log: () => undefined, createDictation: () => service,
      files: { choose: async () => null, chooseMany: async (purpose) => { many.push(purpose); return ['/audio/monday.mp3', '/audio/tuesday.m4a']; } },
    });
    renderApp();
    fireEvent.click(await screen.findByRole('button', { name: 'Transcribe a file…' }));
    await waitFor(() => expect(screen.getByTestId('file-job').textContent).toContain('Transcribing monday.mp3… (1 more waiting)'));
    expect(many).toEqual(['audio']);
    const final = (n: number, text: string) => ({ sessionId: `s${n}`, text, source: 'file', durationMs: 1000, historyId: null, jobId: `7a1c2d3e-0000-4000-8000-00000000000${n}` } as const);
    // The first one fails: a notice that stays names it, and the next goes on.
    act(() => listener({ name: 'error', payload: { code: 'invalid-request', message: '“monday.mp3” (MP3): it holds no audio.', keptText: false, sessionId: null } }));
    await waitFor(() => expect(screen.getByTestId('file-job').textContent).toContain('Transcribing tuesday.m4a…'));
    expect(screen.getByRole('status').textContent).toContain('“monday.mp3” could not be transcribed: “monday.mp3” (MP3): it holds no audio.');
    act(() => listener({ name: 'final', payload: final(2, 'Tuesday notes.') }));
    await waitFor(() => expect(screen.queryByTestId('file-job')).toBeNull());
    expect(started).toEqual(['/audio/monday.mp3', '/audio/tuesday.m4a']);
  });

  it('says so when there is no file dialog (the harness)', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    fireEvent.click(await screen.findByRole('button', { name: 'Browse for the model program' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('There is no file dialog here; type the path instead.'));
  });
});

/**
 * A core whose CUDA backend lists `gpus`: they stand in for hardware this machine lacks (the
 * engine's own listing runs on the GPU machine: native-models/tools/cuda/cuda_probe); settings,
 * core and window are the real ones.
 */
async function coreOnGpus(gpus: () => GpuInfo[], inspect: ModelService['inspect']): Promise<void> {
  await core.close();
  core = await AppCore.create({
    configDir: dir, log: () => undefined,
    models: {
      listBackends: async () => [
        { id: 'cpu', available: true, name: 'CPU (avx2, 8 threads)', devices: [] },
        { id: 'cuda', available: true, name: `NVIDIA CUDA (${gpus()[0].name})`, devices: gpus() },
      ],
      inspect,
    },
  });
}

describe('Settings: the GPU that runs the model', () => {
  const rtx = { id: 'GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901', index: 0, name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24 * 2 ** 30, compute: '8.9', usable: true };
  const old = { id: 'GPU-0a0a0a0a-0000-0000-0000-000000000001', index: 1, name: 'Quadro T1000', memoryBytes: 4 * 2 ** 30, compute: '7.5', usable: false,
    reason: 'compute capability 7.5; the CUDA backend needs 8.0 (Ampere) or newer' };
  const a6000 = { id: 'GPU-99999999-8888-7777-6666-555555555555', index: 2, name: 'NVIDIA RTX A6000', memoryBytes: 48 * 2 ** 30, compute: '8.6', usable: true };

  const coreWithGpus = (gpus: () => GpuInfo[]) => coreOnGpus(gpus, async () => { throw new Error('not used'); });
  const gpuSelect = () => screen.getByLabelText('GPU') as HTMLSelectElement;
  const optionTexts = () => [...gpuSelect().options].map((o) => `${o.textContent}${o.disabled ? ' [disabled]' : ''}`);

  it('is offered on CUDA, keeps the chosen GPU by its id, and shows it as missing when it is gone', async () => {
    let gpus = [rtx, old, a6000];
    await coreWithGpus(() => gpus);
    renderApp();
    fireEvent.click(tab('Settings'));
    const runOn = await screen.findByLabelText('Run on') as HTMLSelectElement;
    expect(runOn.value).toBe('auto'); // a fresh install: the GPU where one can run the model
    expect(runOn.options[0].textContent).toBe('Automatic (the GPU, NVIDIA CUDA)');
    expect(gpuSelect().value).toBe('');
    fireEvent.change(runOn, { target: { value: 'cpu' } });
    await waitFor(() => expect(screen.queryByLabelText('GPU')).toBeNull()); // the CPU runs: no GPU to choose
    fireEvent.change(runOn, { target: { value: 'cuda' } });
    await waitFor(() => expect(gpuSelect().value).toBe(''));
    expect(optionTexts()).toEqual([
      'First usable GPU (NVIDIA GeForce RTX 4090)',
      'NVIDIA GeForce RTX 4090 · 24 GB',
      'Quadro T1000 · 4 GB (cannot run the model) [disabled]',
      'NVIDIA RTX A6000 · 48 GB',
    ]);
    fireEvent.change(gpuSelect(), { target: { value: a6000.id } });
    await waitFor(async () => expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).engine).toMatchObject({ backend: 'cuda', gpu: a6000.id }));

    // Next start: the A6000 is gone (an eGPU unplugged). The choice stays, shown as missing.
    gpus = [rtx, old];
    cleanup();
    disconnect();
    renderApp();
    fireEvent.click(tab('Settings'));
    await waitFor(() => expect(gpuSelect().value).toBe(a6000.id));
    expect(optionTexts().at(-1)).toBe('Not connected (GPU-99999999…)');
    expect(screen.getByText(/This GPU is not on this computer now, so the model cannot load on CUDA/)).toBeTruthy();
    fireEvent.change(gpuSelect(), { target: { value: '' } });
    await waitFor(() => expect(core.settings.get().engine.gpu).toBeNull());
    expect(screen.queryByText(/not on this computer now/)).toBeNull();
  });
});

describe('model check with the real inspector', () => {
  /** A tiny random pair packed into dir/model, and the real inspector. */
  async function packTiny() {
    const { makeCheckpoint } = await import('../../native-models/js/checkpoint/make-checkpoint');
    const { presets } = await import('../../native-models/js/checkpoint/presets');
    const { pack } = await import('../../native-models/js/pack/pack');
    const { NativeModelService } = await import('../../electron/core/app/native-model-service');
    makeCheckpoint(presets.tiny, 3, path.join(dir, 'ckpt'));
    pack({ checkpointDir: path.join(dir, 'ckpt'), outDir: path.join(dir, 'model'), dtype: 'fp32', quant: 'none', groupSize: 32 });
    return new NativeModelService();
  }

  it('Check model reads a packed pair and says it is ready; a bad file gets a clear reason', async () => {
    const models = await packTiny();
    await core.close();
    core = await AppCore.create({ configDir: dir, log: () => undefined, models });
    await core.settings.update({ model: { pte: path.join(dir, 'model', 'model.pte') } });
    renderApp();
    fireEvent.click(tab('Settings'));
    fireEvent.click(await screen.findByRole('button', { name: 'Check model' }));
    await waitFor(() => expect(screen.getByText(/^Ready: fp32, \d+\.\d MB$/)).toBeTruthy());

    await core.settings.update({ model: { pte: path.join(dir, 'settings.json') } });
    fireEvent.click(screen.getByRole('button', { name: 'Check model' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^Not a readable model: /));
  });

  it('says when the model would not fit the memory of the GPU it would run on', async () => {
    const native = await packTiny();
    // A 1 GB card stands in for a GPU too small for the model (the tiny pair plus the ~1.6 GB a model needs beside its files).
    const small = { id: 'GPU-0b0b0b0b-0000-0000-0000-000000000002', index: 0, name: 'NVIDIA T400', memoryBytes: 2 ** 30, compute: '7.5', usable: true };
    const big = { ...small, id: 'GPU-0c0c0c0c-0000-0000-0000-000000000003', index: 1, name: 'NVIDIA RTX A6000', memoryBytes: 48 * 2 ** 30 };
    await coreOnGpus(() => [small, big], (p) => native.inspect(p));
    await core.settings.update({ model: { pte: path.join(dir, 'model', 'model.pte') } });
    renderApp();
    fireEvent.click(tab('Settings'));
    fireEvent.click(await screen.findByRole('button', { name: 'Check model' }));
    await waitFor(() => expect(screen.getByTestId('gpu-fit').textContent)
      .toMatch(/^Needs about 1\.6 GB of GPU memory; NVIDIA T400 has 1 GB: choose 4-bit weights when making the model, or run on the CPU\.$/));
    fireEvent.change(screen.getByLabelText('GPU'), { target: { value: big.id } });
    await waitFor(() => expect(screen.queryByTestId('gpu-fit')).toBeNull());
    fireEvent.change(screen.getByLabelText('GPU'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('gpu-fit')).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Run on'), { target: { value: 'cpu' } });
    await waitFor(() => expect(screen.queryByTestId('gpu-fit')).toBeNull()); // the CPU's memory is the engine's own check
  });
});

describe('Settings: Make a model (a real pack in a worker thread)', () => {
  it('makes a pair from the chosen checkpoint folder, uses it, and explains a refusal', async () => {
    const { makeCheckpoint } = await import('../../native-models/js/checkpoint/make-checkpoint');
    const { presets } = await import('../../native-models/js/checkpoint/presets');
    const { workerPackRunner } = await import('../../electron/core/models/checkpoint-converter');
    const { buildPackWorker } = await import('../unit/models/pack-worker-build');
    const ckpt = path.join(dir, 'ckpt');
    makeCheckpoint(presets.tiny, 4, ckpt);
    const out = path.join(dir, 'made');
    await mkdir(out);
    const answers = [ckpt, out, ckpt, out];
    const asked: string[] = [];
    await core.close();
    core = await AppCore.create({
      configDir: dir, log: () => undefined, packRunner: workerPackRunner(await buildPackWorker(dir)),
      files: { choose: async (purpose) => { asked.push(purpose); return answers.shift() ?? null; } },
    });
    renderApp();
    fireEvent.click(tab('Settings'));
    const make = await screen.findByRole('button', { name: 'Make model' });
    expect((make as HTMLButtonElement).disabled).toBe(true); // no folders yet
    fireEvent.click(screen.getByRole('button', { name: 'Browse for the checkpoint folder' }));
    await waitFor(() => expect((screen.getByLabelText('Checkpoint folder') as HTMLInputElement).value).toBe(ckpt));
    fireEvent.click(screen.getByRole('button', { name: 'Browse for the folder of the new model' }));
    await waitFor(() => expect((screen.getByLabelText('Save the model in') as HTMLInputElement).value).toBe(out));
    expect(asked).toEqual(['checkpoint-folder', 'model-folder']);
    fireEvent.change(screen.getByLabelText('Weights'), { target: { value: '8w' } });
    fireEvent.click(screen.getByRole('button', { name: 'Make model' }));
    await waitFor(() => expect(screen.getByText(/Now in use: /).textContent).toContain(path.join(out, 'model.pte')), { timeout: 30_000 });
    expect(core.settings.get().model).toEqual({ pte: path.join(out, 'model.pte'), ptd: path.join(out, 'model.ptd') });
    await waitFor(() => expect((screen.getByLabelText('Model program (.pte)') as HTMLInputElement).value).toBe(path.join(out, 'model.pte')));
    const { NativeModelService } = await import('../../electron/core/app/native-model-service');
    const summary = await new NativeModelService().inspect(core.settings.get().model as { pte: string; ptd: string });
    expect(summary).toMatchObject({ quant: '8w', weightDtype: 'bf16', runnable: true }); // the weights chosen in the form

    // The same folder again: it holds a model now, so the core refuses and nothing is overwritten.
    fireEvent.click(screen.getByRole('button', { name: 'Make model' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('already holds a model (model.pte, model.ptd)'));
  });
});

describe('Settings: new versions', () => {
  it('a newer release is announced once with its page, Settings says so, and "Check now" asks again', async () => {
    const { createServer } = await import('node:http');
    const { nodeFetch } = await import('../unit/models/fake-hub');
    let tag = 'v0.2.0';
    let asked = 0;
    const server = createServer((_req, res) => {
      asked += 1;
      res.end(JSON.stringify({ tag_name: tag, html_url: `https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/${tag}`, draft: false, prerelease: false }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await core.close();
      const { port } = server.address() as { port: number };
      core = await AppCore.create({
        configDir: dir, log: () => undefined,
        updates: { feedUrl: `http://127.0.0.1:${port}/latest`, currentVersion: '0.1.0', fetch: nodeFetch, firstCheckDelayMs: 0 },
      });
      renderApp();
      const link = await screen.findByRole('link', { name: 'See what is new and download it' }, { timeout: 5000 });
      expect(link.closest('.notice')?.textContent).toContain('Voxtral Dictate 0.2.0 is out (this is 0.1.0).');
      expect(link.getAttribute('href')).toBe('https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/v0.2.0');

      fireEvent.click(tab('Settings'));
      await waitFor(() => expect(screen.getByTestId('update-status').textContent).toContain('Version 0.2.0 is out; this is 0.1.0.'));
      tag = 'v0.1.0';
      fireEvent.click(within(screen.getByTestId('update-status')).getByRole('button', { name: 'Check now' }));
      await waitFor(() => expect(screen.getByTestId('update-status').textContent).toMatch(/^Version 0\.1\.0 is the newest \(checked /));
      expect(asked).toBe(2);

      fireEvent.click(screen.getByRole('checkbox', { name: /Check for new versions/ }));
      await waitFor(() => expect(core.settings.get().checkForUpdates).toBe(false));
      expect(screen.queryByTestId('update-status')).toBeNull();
      expect(await core.call('checkForUpdates', undefined)).toMatchObject({ ok: true, value: { state: 'off', message: 'Checking for new versions is off.' } });
      expect(asked).toBe(2);
    } finally {
      server.close();
    }
  });

  it('a build without a release feed (the harness, a checkout) says it does not check', async () => {
    renderApp();
    fireEvent.click(tab('Settings'));
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toBe('This build does not check for new versions.'));
  });
});

describe('Settings: Download the checkpoint, then make the model from it', () => {
  it('downloads from the Hub into the chosen folder, which becomes the checkpoint to make from', async () => {
    const { makeCheckpoint } = await import('../../native-models/js/checkpoint/make-checkpoint');
    const { presets } = await import('../../native-models/js/checkpoint/presets');
    const { workerPackRunner } = await import('../../electron/core/models/checkpoint-converter');
    const { buildPackWorker } = await import('../unit/models/pack-worker-build');
    const { nodeFetch, startFakeHub } = await import('../unit/models/fake-hub');
    makeCheckpoint(presets.tiny, 6, path.join(dir, 'on-the-hub'));
    const hub = await startFakeHub(path.join(dir, 'on-the-hub'));
    try {
      const downloads = path.join(dir, 'downloads');
      const out = path.join(dir, 'made');
      await mkdir(downloads);
      await mkdir(out);
      const answers = [downloads, out];
      const asked: string[] = [];
      await core.close();
      core = await AppCore.create({
        configDir: dir, log: () => undefined, packRunner: workerPackRunner(await buildPackWorker(dir)),
        download: { hub: hub.url, freeSpace: () => 1e12, fetch: nodeFetch },
        files: { choose: async (purpose) => { asked.push(purpose); return answers.shift() ?? null; } },
      });
      renderApp();
      fireEvent.click(tab('Settings'));
      fireEvent.click(await screen.findByRole('button', { name: 'Download the checkpoint…' }));
      await waitFor(() => expect(screen.getByText(/^Downloaded mistralai\/Voxtral-Mini-4B-Realtime-2602 \(/)).toBeTruthy(), { timeout: 20_000 });
      expect((screen.getByLabelText('Checkpoint folder') as HTMLInputElement).value).toBe(downloads);
      fireEvent.click(screen.getByRole('button', { name: 'Browse for the folder of the new model' }));
      await waitFor(() => expect((screen.getByLabelText('Save the model in') as HTMLInputElement).value).toBe(out));
      fireEvent.click(screen.getByRole('button', { name: 'Make model' }));
      await waitFor(() => expect(screen.getByText(/Now in use: /)).toBeTruthy(), { timeout: 30_000 });
      expect(asked).toEqual(['download-folder', 'model-folder']);
      expect(core.settings.get().model.pte).toBe(path.join(out, 'model.pte'));
    } finally {
      await hub.close();
    }
  });
});

describe('IPC client', () => {
  it('turns an invalid answer or a thrown call into a clear error', async () => {
    const api = inProcessApi(core);
    const broken = { ...api, getSettings: async () => ({ ok: true, value: { nonsense: 1 } }), listBackends: async () => { throw new Error('gone'); } };
    const logged: string[] = [];
    const client = createClient(broken as never, (m) => logged.push(m));
    expect(await client.call('getSettings')).toEqual({ ok: false, error: { code: 'internal', message: 'The app core sent an invalid answer to getSettings.' } });
    expect(await client.call('listBackends')).toEqual({ ok: false, error: { code: 'internal', message: 'Could not reach the app core: gone' } });
    expect(logged[0]).toContain('getSettings');
  });
});

describe('timeLeft', () => {
  it('says nothing until a second and 3 % have passed, then a rough figure from the rate since the first report', async () => {
    const { timeLeft } = await import('../../renderer/src/views/format');
    const start = { at: 0, fraction: 0.1 };
    expect(timeLeft(start, 500, 0.5)).toBeNull();
    expect(timeLeft(start, 5000, 0.12)).toBeNull();
    expect(timeLeft(start, 1000, 0.9)).toBe('a few seconds left'); // 0.8 in 1 s: 0.1 more is 125 ms
    expect(timeLeft(start, 10_000, 0.5)).toBe('about 10 s left'); // 0.4 in 10 s: 0.5 more is 12.5 s
    expect(timeLeft(start, 60_000, 0.3)).toBe('about 4 min left'); // 0.2 a minute: 0.7 more is 3.5 min
    expect(timeLeft({ at: 0, fraction: 0 }, 600_000, 0.05)).toBe('about 3.2 h left');
    expect(timeLeft(start, 60_000, 1)).toBeNull();
  });
});
