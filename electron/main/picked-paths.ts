// Which file paths a page may make main open: only ones the user picked in the system dialog
// (during this run, or earlier and saved as the model in settings). A compromised page cannot
// point the core at arbitrary files, because every path it sends must have come from the dialog.
// A file dropped on the window counts as picked too: its path comes from the preload, which can
// only get one from a File of a real drop (see acceptDropped).

import { isAbsolute } from 'node:path';
import { AUDIO_FILE_KINDS, isDroppableAudioName, validateDroppedFile, type CallName, type Result } from '../common/ipc-contract';
import { check } from '../common/validate';

const UNPICKED: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'Choose the file with Browse…: the app only opens files picked in the file dialog.' },
};

const asString = (v: unknown): string[] => (typeof v === 'string' ? [v] : []);
const field = (v: unknown, key: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);

/** The file paths a call would make main open. */
export function pathsIn(name: CallName, request: unknown): string[] {
  switch (name) {
    case 'transcribeFile': return asString(field(request, 'path'));
    case 'convertCheckpoint': return [...asString(field(request, 'checkpointDir')), ...asString(field(request, 'outDir'))];
    case 'downloadCheckpoint': return asString(field(request, 'dir'));
    case 'inspectModel': return [...asString(field(request, 'pte')), ...asString(field(request, 'ptd'))];
    case 'updateSettings': {
      const model = field(request, 'model');
      return [...asString(field(model, 'pte')), ...asString(field(model, 'ptd'))];
    }
    default: return [];
  }
}

export class PickedPaths {
  private readonly picked = new Set<string>();
  /** Dropped files: audio, so they unlock transcribeFile only (not model inspection or settings). */
  private readonly dropped = new Set<string>();

  /** `saved` = the model paths in settings now (picked in an earlier run). */
  constructor(private readonly saved: () => readonly (string | null)[]) {}

  /** Records what chooseFile answered. */
  remember(name: CallName, result: Result<unknown>): void {
    if (name !== 'chooseFile' || !result.ok) return;
    const chosen = field(result.value, 'path');
    if (typeof chosen === 'string') this.picked.add(chosen);
    const several = field(result.value, 'paths');
    if (Array.isArray(several)) for (const p of several) if (typeof p === 'string') this.picked.add(p);
  }

  /**
   * Records a dropped file (DROPPED_FILE_CHANNEL, sender already checked) for transcribeFile. Only audio to
   * transcribe, only an absolute path to an audio file: a File made by page script has the path '' and is
   * refused, so a page can register nothing but what the user dropped.
   */
  acceptDropped(request: unknown): Result<{ path: string }> {
    const valid = check(validateDroppedFile, request);
    if (!valid.ok) {
      const noPath = field(request, 'path') === '';
      const message = noPath ? 'The dropped file has no location on disk; drop a file from a folder.' : valid.message;
      return { ok: false, error: { code: 'invalid-request', message } };
    }
    const { path } = valid.value;
    if (!isAbsolute(path)) return { ok: false, error: { code: 'invalid-request', message: 'The dropped file has no location on disk; drop a file from a folder.' } };
    if (!isDroppableAudioName(path)) return { ok: false, error: { code: 'invalid-request', message: `Only audio files (${AUDIO_FILE_KINDS}) can be transcribed.` } };
    this.dropped.add(path);
    return { ok: true, value: { path } };
  }

  /** null when every path in the request was picked, else the refusal to answer with. */
  refusal(name: CallName, request: unknown): Result<never> | null {
    const saved = this.saved();
    const dropped = name === 'transcribeFile' ? this.dropped : new Set<string>();
    const ok = pathsIn(name, request).every((p) => this.picked.has(p) || dropped.has(p) || saved.includes(p));
    return ok ? null : UNPICKED;
  }
}
