import type { DictationState, DictationStatus } from '../../../electron/common/ipc-contract';
import { LevelMeter } from '../audio/LevelMeter';
import { CopyButton } from '../components/CopyButton';
import { FileDropZone } from '../components/FileDropZone';
import { useEscape } from '../components/use-escape';
import { useNow } from '../components/use-now';
import { useStickToBottom } from '../components/use-stick-to-bottom';
import { useAppState } from '../stores/store-context';
import { formatDuration, timeLeft } from './format';

const STATE_LABELS: Record<DictationState, string> = {
  idle: 'Ready',
  loading: 'Loading model…',
  listening: 'Listening',
  finishing: 'Finishing…',
  error: 'Error',
};

/** Armed for start-on-speech reads as waiting, not as plain ready (unless the microphone is out). */
function badgeLabel(status: DictationStatus, fileRunning: boolean, micUnavailable: boolean): string {
  if (fileRunning) return 'Transcribing file…';
  if (status.state === 'idle' && status.handsFree?.armed) return micUnavailable ? 'Microphone unavailable' : 'Waiting for speech';
  return STATE_LABELS[status.state];
}

export function DictationView() {
  const status = useAppState((s) => s.status);
  const transcript = useAppState((s) => s.transcript);
  const error = useAppState((s) => s.dictationError);
  const failedRecording = useAppState((s) => s.failedRecordingId);
  const queued = useAppState((s) => s.fileQueue.length);
  const progressStart = useAppState((s) => s.fileProgressStart);
  const retranscribeFailed = useAppState((s) => s.retranscribeFailedDictation);
  const progress = useAppState((s) => s.progress);
  const clock = useNow(progressStart !== null, 1000);
  const left = progressStart && progress?.fraction != null ? timeLeft(progressStart, clock, progress.fraction) : null;
  const speaking = useAppState((s) => s.speaking);
  const settings = useAppState((s) => s.settings);
  // The hotkey as the platform writes it ("Ctrl+Shift+Space", "Cmd+Shift+Space"), and only where it works.
  const hotkey = useAppState((s) => (s.desktop?.hotkey?.works ? s.desktop.hotkey.label : null));
  const start = useAppState((s) => s.startDictation);
  const stop = useAppState((s) => s.stopDictation);
  const cancel = useAppState((s) => s.cancelDictation);
  const setView = useAppState((s) => s.setView);
  const fileJob = useAppState((s) => s.fileJob);
  const transcribeFile = useAppState((s) => s.transcribeFile);
  const transcribeDropped = useAppState((s) => s.transcribeDroppedFiles);
  const cancelFile = useAppState((s) => s.cancelFileTranscription);

  const active = status.state === 'listening' || status.state === 'finishing' || status.state === 'loading';
  // A file job runs through the same states, but nothing is heard: no mic level, no Stop.
  const fileRunning = active && status.source === 'file';
  const now = useNow(status.state === 'listening');
  const noModel = settings !== null && settings.model.pte === null;
  const transcriptRef = useStickToBottom<HTMLDivElement>(transcript);
  // Escape cancels here as it does for a hotkey dictation (and the Cancel button says so).
  useEscape(active, () => void (fileRunning ? (fileJob ? cancelFile() : cancel()) : cancel()));

  return (
    <section className="view dictation" aria-labelledby="dictation-title">
      <h2 id="dictation-title" className="visually-hidden">Dictation</h2>
      <div className="dictation-bar">
        <span className={`state-badge state-${status.state}`} data-testid="dictation-state">{badgeLabel(status, fileRunning, error?.code === 'unavailable')}</span>
        {status.state === 'listening' && !fileRunning && (
          <>
            <span className={`speech-dot${speaking ? ' speaking' : ''}`} data-testid="speech-indicator" role="img" aria-label={speaking ? 'Speech detected' : 'No speech'} />
            <LevelMeter />
            <span className="elapsed" aria-label="Elapsed time">{formatDuration(now - status.since)}</span>
          </>
        )}
        {progress && (
          <progress className="progress" max={1} value={progress.fraction ?? undefined} aria-label={progress.stage} />
        )}
        <div className="spacer" />
        {fileRunning ? (
          <button type="button" className="button secondary" aria-keyshortcuts="Escape" title="Cancel (Esc)" onClick={() => void (fileJob ? cancelFile() : cancel())}>Cancel</button>
        ) : active ? (
          <>
            <button type="button" className="button" onClick={() => void stop()} disabled={status.state !== 'listening'}>Stop</button>
            <button type="button" className="button secondary" aria-keyshortcuts="Escape" title="Cancel (Esc)" onClick={() => void cancel()}>Cancel</button>
          </>
        ) : (
          <>
            <button type="button" className="button secondary" disabled={fileJob !== null} onClick={() => void transcribeFile()}>Transcribe a file…</button>
            <button type="button" className="button primary" onClick={() => void start()}>Start dictation</button>
          </>
        )}
      </div>
      {fileJob && (
        <p className="hint" data-testid="file-job">
          Transcribing {fileJob.label}…
          {left && <> {left}</>}
          {queued > 0 && <> ({queued} more waiting)</>}
          {/* While the job runs, the bar above has the Cancel button. */}
          {!fileRunning && <>{' '}<button type="button" className="link" onClick={() => void cancelFile()}>Cancel</button></>}
        </p>
      )}

      {noModel && (
        <p className="hint" data-testid="no-model">
          No model of your own chosen: dictation runs on the built-in demo model where this install ships
          one (trained on synthetic voices only). <button type="button" className="link" onClick={() => setView('settings')}>Choose a Voxtral model in Settings</button> for real dictation.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error.message}
          {failedRecording && !fileJob && <>{' '}<button type="button" className="link" onClick={() => void retranscribeFailed()}>Transcribe it again</button></>}
        </p>
      )}

      <FileDropZone label="Drop audio files to transcribe them" onFiles={(files) => void transcribeDropped(files)}>
        <div className="transcript-box">
          <div ref={transcriptRef} className="transcript" data-testid="transcript" aria-live="polite" aria-label="Transcript">
            {transcript || <span className="placeholder">{settings ? `Press ${hotkey ? `Start or ${hotkey}` : 'Start'} and speak. Your words appear here as you talk. To transcribe recordings, drop audio files here.` : ' '}</span>}
          </div>
          <div className="transcript-actions">
            <CopyButton text={transcript} />
          </div>
        </div>
      </FileDropZone>
    </section>
  );
}
