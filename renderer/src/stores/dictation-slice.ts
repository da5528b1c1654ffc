import type { StateCreator } from 'zustand';
import { AUDIO_FILE_KINDS, isDroppableAudioName } from '../../../electron/common/ipc-contract';
import type { VoxtralClient } from '../ipc/client';
import { formatDateTime } from '../views/format';
import type { AppState, DictationSlice } from './types';

/** Files that may wait for their turn at once. */
const MAX_FILE_QUEUE = 100;

const IDLE = { state: 'idle', since: Date.now(), sessionId: null, source: null, error: null } as const;

export const createDictationSlice = (client: VoxtralClient): StateCreator<AppState, [], [], DictationSlice> => (set, get) => {
  const labelOf = (path: string) => path.split(/[\\/]/).pop() ?? path;
  /** Asks the core to transcribe a path it accepts (picked in the dialog or dropped). */
  const startFileJob = async (path: string) => {
    const started = await client.call('transcribeFile', { path });
    if (started.ok) set({ fileJob: { jobId: started.value.jobId, label: labelOf(path), entryId: null }, fileProgressStart: null });
    else set({ dictationError: started.error });
  };
  /** The job ended (done, or failed: one bad file does not stop the others): the next one waiting. */
  const startNextFile = async () => {
    const [next, ...rest] = get().fileQueue;
    if (!next || get().fileJob) return;
    set({ fileQueue: rest });
    await startFileJob(next.path);
    // It could not start (e.g. a dictation began meanwhile): the error says why; try the rest.
    if (!get().fileJob && get().fileQueue.length) await startNextFile();
  };
  const retranscribe = async (id: string, label: string) => {
    set({ dictationError: null, failedRecordingId: null });
    const started = await client.call('retranscribeHistoryEntry', { id });
    if (!started.ok) return set({ dictationError: started.error });
    set({ fileJob: { jobId: started.value.jobId, label, entryId: id }, fileProgressStart: null });
    get().setView('dictate'); // the job's progress and words show there
  };
  return {
    status: IDLE,
    failedRecordingId: null,
    transcript: '',
    transcriptSessionId: null,
    lastFinal: null,
    dictationError: null,
    progress: null,
    speaking: false,
    fileJob: null,
    fileQueue: [],
    fileProgressStart: null,

    async transcribeFile() {
      set({ dictationError: null });
      const chosen = await client.call('chooseFile', { purpose: 'audio', many: true });
      if (!chosen.ok) return set({ dictationError: chosen.error });
      const paths = chosen.value.paths ?? (chosen.value.path ? [chosen.value.path] : []);
      const room = MAX_FILE_QUEUE - get().fileQueue.length;
      set({ fileQueue: [...get().fileQueue, ...paths.slice(0, room).map((p) => ({ path: p, label: labelOf(p) }))] });
      if (paths.length > room) get().pushNotice({ kind: 'info', message: `Only ${Math.max(0, room)} of the ${paths.length} files fit in the queue; choose the others when some are done.` });
      await startNextFile();
    },

    retranscribeHistoryEntry: (entry) => retranscribe(entry.id, `the recording of ${formatDateTime(entry.createdAt)} again`),

    async retranscribeFailedDictation() {
      const id = get().failedRecordingId;
      if (id) await retranscribe(id, 'the failed dictation\'s recording');
    },

    async transcribeDroppedFiles(files) {
      set({ dictationError: null });
      const refuse = (message: string) => set({ dictationError: { code: 'invalid-request', message } });
      if (files.length === 0) return refuse(`Nothing to transcribe was dropped: drop an audio file (${AUDIO_FILE_KINDS}).`);
      const audio = files.filter((f) => isDroppableAudioName(f.name));
      const others = files.filter((f) => !isDroppableAudioName(f.name)).map((f) => `“${f.name}”`);
      if (audio.length === 0) {
        return refuse(`Only audio files (${AUDIO_FILE_KINDS}) can be transcribed; ${others.join(', ')} ${others.length === 1 ? 'is not one' : 'are not'}.`);
      }
      const room = MAX_FILE_QUEUE - get().fileQueue.length;
      if (room <= 0) return refuse(`${MAX_FILE_QUEUE} files are waiting already; drop more when some are done.`);
      const taken = audio.slice(0, room);
      const problems: string[] = [];
      if (others.length) problems.push(`${others.join(', ')} ${others.length === 1 ? 'is not an audio file' : 'are not audio files'} (${AUDIO_FILE_KINDS})`);
      if (audio.length > taken.length) problems.push(`only ${taken.length} more fit in the queue`);
      for (const file of taken) {
        const registered = await client.registerDroppedFile(file);
        if (!registered.ok) problems.push(`“${file.name}”: ${registered.error.message}`);
        else set({ fileQueue: [...get().fileQueue, { path: registered.value.path, label: file.name }] });
      }
      // A notice, not the error line: the files taken start at once, and a job's start clears errors.
      if (problems.length) get().pushNotice({ kind: 'info', message: `${problems.join('; ')}. The other files are transcribed in turn.` });
      await startNextFile();
    },

    async cancelFileTranscription() {
      const job = get().fileJob;
      if (!job) return;
      const result = await client.call('cancelFileTranscription', { jobId: job.jobId });
      if (!result.ok) set({ dictationError: result.error });
      set({ fileJob: null, progress: null, fileQueue: [], fileProgressStart: null }); // Cancel stops the files waiting too
    },

    async startDictation() {
      set({ dictationError: null, failedRecordingId: null });
      const result = await client.call('startDictation');
      if (result.ok) get().applyStatus(result.value);
      else set({ dictationError: result.error });
    },

    async stopDictation() {
      const result = await client.call('stopDictation');
      if (!result.ok) set({ dictationError: result.error });
      else if (result.value) get().applyFinal(result.value);
    },

    async cancelDictation() {
      const result = await client.call('cancelDictation');
      if (result.ok) get().applyStatus(result.value);
      else set({ dictationError: result.error });
    },

    applyStatus(status) {
      const newSession = status.sessionId !== null && status.sessionId !== get().transcriptSessionId;
      set({
        status,
        ...(newSession ? { transcript: '', transcriptSessionId: status.sessionId, lastFinal: null } : {}),
        ...(status.state === 'error' && status.error ? { dictationError: status.error } : {}),
        ...(status.state === 'listening' ? { dictationError: null, failedRecordingId: null } : { speaking: false }),
      });
    },

    applyPartial(partial) {
      set({ transcript: partial.text, transcriptSessionId: partial.sessionId });
    },

    applyFinal(final) {
      if (final.source === 'file') {
        // A file's transcript goes to history; say so rather than replacing the live transcript.
        const job = get().fileJob;
        if (final.jobId === job?.jobId) set({ fileJob: null, progress: null, fileProgressStart: null });
        const again = job?.entryId !== null && job?.entryId === final.historyId;
        const which = job && !again ? `“${job.label}” was transcribed` : 'The file was transcribed';
        get().pushNotice({ kind: 'info', message: again ? 'The recording was transcribed again; its History entry has the new text.'
          : final.historyId ? `${which}; the text is in History.` : `${which}.` });
        void startNextFile();
        return;
      }
      set({ transcript: final.text, transcriptSessionId: final.sessionId, lastFinal: final, progress: null });
    },

    applyError(error) {
      const job = get().fileJob;
      if (error.sessionId === null && job && get().fileQueue.length > 0) {
        // One file of several failed: a notice that stays (the next file's start clears the error
        // line), and the rest go on.
        get().pushNotice({ kind: 'info', message: `“${job.label}” could not be transcribed: ${error.message}` });
        set({ fileJob: null, progress: null, fileProgressStart: null });
        void startNextFile();
        return;
      }
      const kept = error.keptText ? ' The words decoded so far were kept.' : '';
      const recorded = error.historyId ? ' Its recording is kept in History.' : '';
      set({ dictationError: { code: error.code, message: `${error.message}${kept}${recorded}` }, failedRecordingId: error.historyId ?? null });
      if (error.sessionId === null && job) set({ fileJob: null, progress: null, fileProgressStart: null });
    },

    applySpeech(activity) {
      const { status } = get();
      // Only the running session's speech counts; a late event from an ended one is ignored.
      if (status.state !== 'listening' || (activity.sessionId !== null && activity.sessionId !== status.sessionId)) return;
      set({ speaking: activity.speaking });
    },

    applyProgress(progress) {
      const job = get().fileJob;
      if (job && progress.stage === 'transcribing-file' && progress.jobId === job.jobId && progress.fraction !== null && !get().fileProgressStart) {
        set({ fileProgressStart: { at: Date.now(), fraction: progress.fraction } });
      }
      set({ progress: progress.fraction === 1 ? null : progress });
    },
  };
};
