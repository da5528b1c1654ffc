import type { HotkeyMode, InsertionMode, KeepAudio, MicKeepOpen, Settings, SettingsPatch } from '../../../electron/common/ipc-contract';
import { DraftInput, Field, RadioGroup, SelectField, Toggle } from '../components/fields';
import { ShortcutRecorder } from '../components/ShortcutRecorder';
import { useMicrophones } from '../components/use-microphones';
import { useAppState } from '../stores/store-context';
import { AppModesSection } from './AppModesSection';
import { HotkeyStatusLine, PasteLastStatusLine } from './HotkeyStatusLine';
import { ConvertSection } from './ConvertSection';
import { MicrophoneTest } from './MicrophoneTest';
import { ModelSection } from './ModelSection';
import { ReplacementsSection } from './ReplacementsSection';
import { VocabularySection } from './VocabularySection';
import { UpdateStatusLine } from './UpdateStatusLine';

const INSERTION_OPTIONS: readonly { value: InsertionMode; label: string; description: string }[] = [
  { value: 'paste', label: 'Paste', description: 'Puts the text in the focused app through the clipboard, then restores what was on it.' },
  { value: 'type', label: 'Type live', description: 'Types words into the focused app as you speak (tap the hotkey to start: while it is held, the text waits for you to let go).' },
  { value: 'clipboard', label: 'Clipboard only', description: 'Copies the text; you paste it yourself.' },
];

const KEEP_AUDIO_OPTIONS: readonly { value: KeepAudio; label: string }[] = [
  { value: 'off', label: 'Off' },
  { value: 'week', label: 'For a week' },
  { value: 'month', label: 'For a month' },
  { value: 'forever', label: 'Until I delete the entry' },
];

const KEEP_OPEN_OPTIONS: readonly { value: MicKeepOpen; label: string }[] = [
  { value: 'always', label: 'Always (dictation starts at once)' },
  { value: 'minute', label: 'For a minute after each dictation' },
  { value: 'dictating', label: 'Only while dictating' },
];

const HOTKEY_MODES: readonly { value: HotkeyMode; label: string; description: string }[] = [
  { value: 'both', label: 'Hold or tap', description: 'Hold to talk, or tap once to start and again to stop.' },
  { value: 'hold', label: 'Hold to talk', description: 'Dictates while the keys are held down.' },
  { value: 'toggle', label: 'Tap to toggle', description: 'Tap to start, tap again to stop.' },
];

export function SettingsView() {
  const settings = useAppState((s) => s.settings);
  const error = useAppState((s) => s.settingsError);
  const savedAt = useAppState((s) => s.lastSavedAt);
  const update = useAppState((s) => s.updateSettings);
  const reset = useAppState((s) => s.resetSettings);
  const microphones = useMicrophones();
  const desktop = useAppState((s) => s.desktop);
  const handsFree = useAppState((s) => s.status.handsFree);

  if (!settings) return <section className="view"><p className="hint">Loading settings…</p></section>;
  const save = (patch: SettingsPatch) => void update(patch);
  const section = <K extends keyof Settings>(key: K) => (patch: Partial<Settings[K]>) => save({ [key]: patch } as SettingsPatch);

  return (
    <section className="view settings" aria-labelledby="settings-title">
      <div className="view-header">
        <h2 id="settings-title">Settings</h2>
        <span className="save-state" role="status" data-testid="save-state">
          {error ? '' : savedAt ? 'Saved' : ''}
        </span>
      </div>
      {error && <p className="error" role="alert">{error}</p>}

      <ModelSection settings={settings} onChange={section('model')} onEngineChange={section('engine')} />
      <ConvertSection />

      <div className="card">
        <h3>Microphone</h3>
        <Field label="Input device">
          {(id) => (
            <select id={id} value={settings.microphone.deviceId ?? ''} onChange={(e) => section('microphone')({ deviceId: e.target.value || null })}>
              <option value="">System default</option>
              {microphones.map((m) => <option key={m.deviceId} value={m.deviceId}>{m.label}</option>)}
              {settings.microphone.deviceId && !microphones.some((m) => m.deviceId === settings.microphone.deviceId) && (
                <option value={settings.microphone.deviceId}>Saved device (not connected)</option>
              )}
            </select>
          )}
        </Field>
        <MicrophoneTest deviceId={settings.microphone.deviceId} />
        <SelectField
          label="Keep it open"
          hint={settings.microphone.keepOpen === 'always'
            ? 'Open between dictations, so none waits for the device and the first word is never cut. Its sound goes nowhere until you dictate (only the last third of a second is held, for that first word).'
            : 'The system shows the microphone as off between dictations. A slow microphone (Bluetooth) may miss the first word.'}
          value={settings.microphone.keepOpen} options={KEEP_OPEN_OPTIONS} onChange={(keepOpen) => section('microphone')({ keepOpen })}
        />
      </div>

      <div className="card">
        <h3>Shortcut</h3>
        <Field label="Keys" hint="Press Record… and then the keys, or type them: e.g. CommandOrControl+Shift+Space, or a right-hand modifier alone (RightCtrl, RightAlt, RightShift, RightSuper). While a dictation runs, Escape cancels it.">
          {(id) => (
            <div className="path-input">
              <DraftInput id={id} value={settings.hotkey.accelerator} onCommit={(accelerator) => section('hotkey')({ accelerator })} />
              <ShortcutRecorder onRecord={(accelerator) => section('hotkey')({ accelerator })} />
            </div>
          )}
        </Field>
        <HotkeyStatusLine status={desktop?.hotkey ?? null} />
        <RadioGroup name="hotkey-mode" legend="How the shortcut works" value={settings.hotkey.mode} options={HOTKEY_MODES} onChange={(mode) => section('hotkey')({ mode })} />
        <Field label="Paste last transcript" hint="Another shortcut, pressed once: your last dictation goes into the focused app again (say it landed in the wrong window, or you corrected it in History). Empty: none.">
          {(id) => (
            <div className="path-input">
              <DraftInput id={id} value={settings.hotkey.pasteLast} placeholder="e.g. Ctrl+Alt+V" onCommit={(pasteLast) => section('hotkey')({ pasteLast: pasteLast.trim() })} />
              <ShortcutRecorder label="Record the paste-last keys" onRecord={(pasteLast) => section('hotkey')({ pasteLast })} />
              {settings.hotkey.pasteLast !== '' && (
                <button type="button" className="button secondary" onClick={() => section('hotkey')({ pasteLast: '' })}>Clear</button>
              )}
            </div>
          )}
        </Field>
        <PasteLastStatusLine status={desktop?.hotkey?.pasteLast ?? null} />
        <Toggle
          label="Hands-free"
          description="Start when you speak and stop after a pause, without holding keys."
          checked={settings.handsFree.enabled}
          onChange={(enabled) => section('handsFree')({ enabled })}
        />
        {settings.handsFree.enabled && (
          <Toggle
            label="Start when I start speaking"
            description="Listens for speech and begins dictating on its own; the microphone stays open."
            checked={settings.handsFree.startOnSpeech ?? false}
            onChange={(startOnSpeech) => section('handsFree')({ startOnSpeech })}
          />
        )}
        {settings.handsFree.enabled && (
          <Field label="Stop after silence (ms)">
            {(id) => <DraftInput id={id} type="number" value={String(settings.handsFree.silenceMs)} onCommit={(v) => section('handsFree')({ silenceMs: Number(v) })} />}
          </Field>
        )}
        {handsFree?.available === false && (
          <p className="warning" data-testid="hands-free-status">
            Hands-free is unavailable here, so dictation stops only when you stop it: {handsFree.reason}
          </p>
        )}
        {settings.handsFree.enabled && handsFree?.armed && (
          <p className="hint" data-testid="hands-free-status">Waiting for speech: the microphone is on, and dictation starts when you speak.</p>
        )}
      </div>

      <div className="card">
        <h3>Text insertion</h3>
        <RadioGroup name="insertion-mode" legend="Put the text into the focused app by" value={settings.insertion.mode} options={INSERTION_OPTIONS} onChange={(mode) => section('insertion')({ mode })} />
        {(settings.insertion.mode !== 'clipboard' || settings.insertion.perApp.some((rule) => rule.mode !== 'clipboard')) && (
          <Toggle
            label="Space between dictations"
            description="A dictation that goes on where the last one ended (no key pressed and no click since) starts with a space, so sentences do not run together."
            checked={settings.insertion.spaceBetween}
            onChange={(spaceBetween) => section('insertion')({ spaceBetween })}
          />
        )}
        {desktop?.insertion && !desktop.insertion.available && (
          <p className="warning" data-testid="insertion-status">Text cannot reach other apps yet: {desktop.insertion.detail}</p>
        )}
        <AppModesSection rules={settings.insertion.perApp} recentApps={desktop?.insertion?.recentApps ?? []}
          knowsApps={desktop?.insertion ? desktop.insertion.knowsApps : null} onChange={(perApp) => section('insertion')({ perApp })} />
      </div>

      <ReplacementsSection rules={settings.replacements.rules} onChange={(rules) => section('replacements')({ rules })} />
      <VocabularySection words={settings.replacements.words ?? []} onChange={(words) => section('replacements')({ words })} />

      <div className="card">
        <h3>General</h3>
        <Toggle label="Show the dictation overlay" checked={settings.showOverlay} onChange={(showOverlay) => save({ showOverlay })} />
        <Toggle
          label="Play sounds"
          description="A short tone when a dictation starts, stops, is cancelled or fails. Without a headset the microphone may hear the start tone."
          checked={settings.playSounds}
          onChange={(playSounds) => save({ playSounds })}
        />
        <Toggle label="Start at login" checked={settings.startAtLogin} onChange={(startAtLogin) => save({ startAtLogin })} />
        <Toggle
          label="Check for new versions"
          description="Asks the project's release page once a day whether a newer version is out. Nothing about you or your dictations is sent."
          checked={settings.checkForUpdates}
          onChange={(checkForUpdates) => save({ checkForUpdates })}
        />
        <UpdateStatusLine />
        <Toggle label="Keep history" description="Transcripts are stored only on this computer." checked={settings.history.enabled} onChange={(enabled) => section('history')({ enabled })} />
        {settings.history.enabled && (
          <SelectField
            label="Keep recordings"
            hint={settings.history.keepAudio === 'off'
              ? 'Only the text of a dictation is kept (turning this off deletes the recordings kept so far).'
              : 'The audio of each dictation is kept with its History entry, only on this computer, to play it back or transcribe it again (after a failure, or with another model).'}
            value={settings.history.keepAudio} options={KEEP_AUDIO_OPTIONS} onChange={(keepAudio) => section('history')({ keepAudio })}
          />
        )}
      </div>

      <div className="actions">
        <button type="button" className="button secondary" onClick={() => void reset()}>Reset all settings</button>
      </div>
    </section>
  );
}
