// Settings' microphone test: opens the chosen input on its own (not through the dictation's
// capture, which sends nothing to the core outside a dictation) and reports its level ~20 times a
// second, so the user sees whether the right microphone hears them before dictating. It also says
// when nothing at all is heard (a muted or wrong device), the failure users otherwise discover as
// an empty transcript.

import { levelOf } from '../../../electron/common/audio-level';

/** Below this level (about −54 dBFS) the input counts as silent: a muted device gives ~0. */
export const SILENT_LEVEL = 0.1;
/** After this long without a sound above SILENT_LEVEL, the test says nothing is heard. */
export const SILENCE_WARNING_MS = 3000;
const POLL_MS = 50;

export interface MicTestUpdate {
  level: number;
  /** Nothing above SILENT_LEVEL for SILENCE_WARNING_MS. */
  silent: boolean;
  /** Something above SILENT_LEVEL was heard since the test began. */
  heard: boolean;
}

export interface MicTest {
  /** The input's name, as the system gives it. */
  readonly label: string;
  stop(): Promise<void>;
}

export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia'>;

/** Opens the input (null: the system default); rejects with a message the user can act on. */
export async function startMicTest(deviceId: string | null, onUpdate: (update: MicTestUpdate) => void,
  media: MediaDevicesLike = navigator.mediaDevices, now: () => number = () => performance.now()): Promise<MicTest> {
  let stream: MediaStream;
  try {
    stream = await media.getUserMedia({
      audio: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (err) {
    throw new Error(describeOpenError(err));
  }
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  if (context.state === 'suspended') await context.resume().catch(() => undefined);
  const samples = new Float32Array(analyser.fftSize);
  const started = now();
  let lastSound = started;
  let heard = false;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    const level = levelOf(samples);
    if (level > SILENT_LEVEL) {
      lastSound = now();
      heard = true;
    }
    onUpdate({ level, silent: now() - lastSound >= SILENCE_WARNING_MS, heard });
  }, POLL_MS);
  let stopped: Promise<void> | null = null;
  return {
    label: stream.getAudioTracks()[0]?.label ?? '',
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        for (const track of stream.getTracks()) track.stop();
        await context.close().catch(() => undefined);
      })();
      return stopped;
    },
  };
}

function describeOpenError(err: unknown): string {
  switch ((err as Error)?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The app is not allowed to use the microphone: allow it in the system\'s privacy settings.';
    case 'OverconstrainedError':
    case 'NotFoundError':
      return 'This microphone is not connected: plug it in, or choose another.';
    case 'NotReadableError':
      return 'The microphone could not be opened: another app may hold it, or the device failed.';
    default:
      return `The microphone could not be opened: ${(err as Error)?.message ?? String(err)}`;
  }
}
