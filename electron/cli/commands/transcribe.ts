/**
 * `voxtral transcribe --model model.pte [--data model.ptd] [--tokenizer tekken.json] [--backend auto|cpu|cuda]
 *  [--gpu ID|INDEX] [--dtype bf16|fp32] [--threads N] [--format text|json|srt|vtt] AUDIO`: streams an audio file
 * (WAV, MP3, FLAC, Ogg Vorbis/Opus; other formats through ffmpeg where it is installed; any rate,
 * any channel count, resampled to 16 kHz mono) through the native engine and prints the text, one
 * JSON object (with each word's time), or subtitles (`--json` is `--format json`).
 * Like live dictation, it goes on after an early EOS (a pause) on a new engine session
 * (native-models/js/continuation), so the words after the pause are kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { AudioFileError, readAudioFile } from '../../../native-models/js/audio/read-audio-file.js';
import { ContinuousSession, SegmentedDecoder, timedWords, type SegmentSummary, type TimedWord } from '../../../native-models/js/continuation/index.js';
import { EngineError, loadModel, type ActivationDtype, type BackendId } from '../../../native-models/js/engine.js';
import { loadTekken } from '../../../native-models/js/tokenizer/tekken.js';
import type { BackendChoice } from '../../common/ipc-contract.js';
import { formatSubtitles, subtitleCues } from '../../common/subtitles.js';
import { resolveBackend } from '../../core/engine/backend-choice.js';
import { oneOf, parseCommandArgs, parseInteger, requireString } from '../args.js';
import { CliUsageError, type CliCommand } from '../command.js';

const usage =
  'voxtral transcribe --model model.pte [--data model.ptd] [--tokenizer tekken.json] [--backend auto|cpu|cuda] [--gpu ID|INDEX] [--dtype bf16|fp32] [--threads N] [--format text|json|srt|vtt] AUDIO';

export interface TranscribeOptions {
  pte: string;
  ptd?: string;
  tokenizer?: string;
  /** 'auto': CUDA where a usable GPU is, else the CPU (as the app's default). */
  backend: BackendChoice;
  /** The GPU on cuda: an id from `voxtral backends`, or an index; default the first usable one. */
  gpu?: string;
  dtype: ActivationDtype;
  threads?: number;
  audio: string;
  /** Told of what is not an error but worth knowing (damaged frames skipped). */
  warn?: (message: string) => void;
}

export interface TranscribeResult {
  text: string;
  /**
   * Every sampled id after the prompt, pads included, up to and including EOS if reached; after an
   * early EOS the next segment's ids follow (so an EOS id may sit in the middle).
   */
  tokens: number[];
  audioSeconds: number;
  /** Decoder steps of all segments (one id each). */
  steps: number;
  msPerStep: number;
  backend: BackendId;
  dtype: ActivationDtype;
  /** One engine session each: the first, then one per early EOS (startSample/endSample at 16 kHz). */
  segments: SegmentSummary[];
  /** Each word and when the model wrote it (ms from the start of the file; a few hundred ms behind the voice). */
  words: TimedWord[];
}

const OUTPUT_FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Runs one file through a streaming session; text is built incrementally as tokens arrive. */
export async function transcribeFile(o: TranscribeOptions): Promise<TranscribeResult> {
  const tokenizerPath = o.tokenizer ?? path.join(path.dirname(o.pte), 'tekken.json');
  if (!existsSync(tokenizerPath)) throw new CliUsageError(`tokenizer ${tokenizerPath} not found (pass --tokenizer)`);
  const tekken = loadTekken(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
  const audio = await readAudioFile(o.audio);
  if (audio.skippedFrames > 0) o.warn?.(`${audio.skippedFrames} damaged ${audio.format.name} frame(s) skipped; the rest is transcribed`);
  const backend = resolveBackend(o.backend);
  if (o.gpu !== undefined && backend !== 'cuda') throw new CliUsageError(o.backend === 'auto' ? '--gpu: there is no usable NVIDIA GPU here' : '--gpu needs --backend cuda');
  const model = await loadModel({ pte: o.pte, ptd: o.ptd, backend, gpu: o.gpu, dtype: o.dtype, threads: o.threads });
  try {
    const decoder = new SegmentedDecoder(tekken);
    let text = '';
    let failure: EngineError | undefined;
    const session = new ContinuousSession(model, {
      maxHistorySamples: Math.max(1, audio.samples.length), // the file is in memory anyway
      onTokens: (ids, { segment }) => {
        text += decoder.push(ids, segment);
      },
      onError: (err) => {
        failure = err;
      },
    });
    try {
      session.push(audio.samples);
      const result = await session.flush();
      if (failure) throw failure;
      text += decoder.flush();
      return {
        text,
        tokens: result.tokens,
        audioSeconds: audio.samples.length / 16000,
        steps: result.steps,
        msPerStep: result.msPerStep,
        backend,
        dtype: o.dtype,
        segments: result.segments,
        words: timedWords(tekken, result.tokens, result.segments),
      };
    } finally {
      session.close();
    }
  } finally {
    model.dispose();
  }
}

export const transcribeCommand: CliCommand = {
  name: 'transcribe',
  summary: 'transcribe an audio file (WAV, MP3, FLAC, Ogg, …) with the native engine (streaming, exactly as live dictation runs)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        model: { type: 'string' },
        data: { type: 'string' },
        tokenizer: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        gpu: { type: 'string' },
        dtype: { type: 'string', default: 'bf16' },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
      },
      usage,
    );
    if (positionals.length !== 1) throw new CliUsageError(`expected one AUDIO file\nusage: ${usage}`);
    if (values.json && values.format && values.format !== 'json') throw new CliUsageError('--json is --format json: give one of them');
    const format = oneOf<OutputFormat>(values.format ?? (values.json ? 'json' : 'text'), OUTPUT_FORMATS, '--format');
    const options: TranscribeOptions = {
      pte: requireString(values.model, '--model', usage),
      ptd: values.data,
      tokenizer: values.tokenizer,
      backend: oneOf<BackendChoice>(values.backend!, ['auto', 'cpu', 'cuda'], '--backend'),
      gpu: values.gpu,
      dtype: oneOf<ActivationDtype>(values.dtype!, ['fp32', 'bf16'], '--dtype'),
      threads: values.threads === undefined ? undefined : parseInteger(values.threads, '--threads'),
      audio: positionals[0],
      warn: (message) => io.err(`warning: ${message}\n`),
    };
    try {
      const result = await transcribeFile(options);
      io.out(render(result, format));
      return 0;
    } catch (err) {
      // Engine and audio problems are the user's files or machine, not bugs: one clear line.
      if (err instanceof EngineError || err instanceof AudioFileError) throw new CliUsageError(err.message);
      throw err;
    }
  },
};

function render(result: TranscribeResult, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(result)}\n`;
  if (format === 'text') return `${result.text.trim()}\n`;
  return formatSubtitles(subtitleCues(result.words), format);
}
