// The dictation service the app runs with: the controller on the native engine, with the Silero
// voice-activity service, loading the configured model at startup. Main and the harness pass this
// to AppCore.create as `createDictation`.

import { DEMO_MODEL_NOTICE, findDemoModel } from '../models/demo-model';
import type { Notice, Settings } from '../../common/ipc-contract';
import type { DictationService } from '../app/services';
import { VoiceActivityService } from '../vad';
import { DictationController, type DictationControllerOptions } from './dictation-controller';

export function createNativeDictation(
  deps: {
    settings: () => Settings;
    onSettingsChange?: (listener: (settings: Settings) => void) => () => void;
    notify?: (notice: Notice) => void;
    /** The history's recordings. */
    audioTap?: (frame: Float32Array, sessionId: string) => void;
    /** The history's word timings of file jobs. */
    fileWords?: DictationControllerOptions['fileWords'];
  },
  extra: Partial<DictationControllerOptions> = {},
): DictationService {
  const { notify, ...controllerDeps } = deps;
  const fallbackModel = extra.fallbackModel ?? findDemoModel;
  // Say plainly what runs when the user has chosen no model: the demo is not the real Voxtral.
  if (!deps.settings().model.pte && fallbackModel()) notify?.({ kind: 'info', message: DEMO_MODEL_NOTICE });
  const taps = [deps.audioTap, extra.audioTap].filter((t) => t !== undefined);
  const audioTap = taps.length ? (frame: Float32Array, sessionId: string) => { for (const tap of taps) tap(frame, sessionId); } : undefined;
  return new DictationController({ preload: true, vad: new VoiceActivityService(), notify, ...controllerDeps, ...extra, fallbackModel, audioTap });
}
