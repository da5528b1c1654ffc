/**
 * `voxtral transcribe --model model.pte [--data model.ptd] [--tokenizer tekken.json] [--backend auto|cpu|cuda]
 *  [--gpu ID|INDEX] [--dtype bf16|fp32] [--threads N] [--format text|json|srt|vtt] [--out-dir DIR] AUDIO...`: streams an audio file
 * (WAV, MP3, FLAC, Ogg Vorbis/Opus; other formats through ffmpeg where it is installed; any rate,
 * any channel count, resampled to 16 kHz mono) through the native engine and prints the text, one
 * JSON object (with each word's time), or subtitles (`--json` is `--format json`). With --out-dir,
 * each file (any number, the model loaded once) goes to DIR/<name>.<txt|json|srt|vtt>.
 * Like live dictation, it goes on after an early EOS (a pause) on a new engine session
 * (native-models/js/continuation), so the words after the pause are kept.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { AudioFileError, readAudioFile, type AudioFile } from '../../../native-models/js/audio/read-audio-file.js';
import { ContinuousSession, SegmentedDecoder, timedWords, type SegmentSummary, type TimedWord } from '../../../native-models/js/continuation/index.js';
import { EngineError, loadModel, type ActivationDtype, type BackendId, type EngineModel } from '../../../native-models/js/engine.js';
import { loadTekken, type Tekken } from '../../../native-models/js/tokenizer/tekken.js';
import type { BackendChoice } from '../../common/ipc-contract.js';
import { formatSubtitles, subtitleCues } from '../../common/subtitles.js';
import { resolveBackend } from '../../core/engine/backend-choice.js';
import { oneOf, parseCommandArgs, parseInteger, requireString } from '../args.js';
import { CliUsageError, type CliCommand, type CliIo } from '../command.js';
import { progressReporter } from '../progress.js';

const usage =
  'voxtral transcribe --model model.pte [--data model.ptd] [--tokenizer tekken.json] [--backend auto|cpu|cuda] [--gpu ID|INDEX] [--dtype bf16|fp32] [--threads N] [--format text|json|srt|vtt] [--out-dir DIR] AUDIO...';

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

/** A model loaded once for one file or many. */
export interface Transcriber {
  /** `onProgress`: how far into the audio the decoder has come (16 kHz samples of all). */
  transcribe(audio: AudioFile, onProgress?: (samplesSeen: number, total: number) => void): Promise<TranscribeResult>;
  dispose(): void;
}

type ModelOptions = Omit<TranscribeOptions, 'audio' | 'warn'>;

function tokenizerFor(o: ModelOptions) {
  const tokenizerPath = o.tokenizer ?? path.join(path.dirname(o.pte), 'tekken.json');
  if (!existsSync(tokenizerPath)) throw new CliUsageError(`tokenizer ${tokenizerPath} not found (pass --tokenizer)`);
  return loadTekken(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
}

export async function openTranscriber(o: ModelOptions): Promise<Transcriber> {
  const tekken = tokenizerFor(o);
  const backend = resolveBackend(o.backend);
  if (o.gpu !== undefined && backend !== 'cuda') throw new CliUsageError(o.backend === 'auto' ? '--gpu: there is no usable NVIDIA GPU here' : '--gpu needs --backend cuda');
  const model = await loadModel({ pte: o.pte, ptd: o.ptd, backend, gpu: o.gpu, dtype: o.dtype, threads: o.threads });
  return {
    transcribe: (audio, onProgress) => transcribeWith(model, tekken, audio, backend, o.dtype, onProgress),
    dispose: () => model.dispose(),
  };
}

/** Reads an audio file for transcription, telling `warn` of damaged frames skipped. */
export async function readForTranscription(file: string, warn?: (message: string) => void): Promise<AudioFile> {
  const audio = await readAudioFile(file);
  if (audio.skippedFrames > 0) warn?.(`${audio.skippedFrames} damaged ${audio.format.name} frame(s) skipped; the rest is transcribed`);
  return audio;
}

/** Runs one file through a streaming session; text is built incrementally as tokens arrive. */
export async function transcribeFile(o: TranscribeOptions, onProgress?: (samplesSeen: number, total: number) => void): Promise<TranscribeResult> {
  tokenizerFor(o); // a missing tokenizer is said before the audio is read
  const audio = await readForTranscription(o.audio, o.warn); // a bad file is said before the model loads
  const transcriber = await openTranscriber(o);
  try {
    const result = await transcriber.transcribe(audio, onProgress);
    onProgress?.(audio.samples.length, audio.samples.length); // the line ends, whatever the last step saw
    return result;
  } finally {
    transcriber.dispose();
  }
}

async function transcribeWith(model: EngineModel, tekken: Tekken, audio: AudioFile, backend: BackendId, dtype: ActivationDtype,
  onProgress?: (samplesSeen: number, total: number) => void): Promise<TranscribeResult> {
  const decoder = new SegmentedDecoder(tekken);
  let text = '';
  let failure: EngineError | undefined;
  const session = new ContinuousSession(model, {
    maxHistorySamples: Math.max(1, audio.samples.length), // the file is in memory anyway
    onTokens: (ids, { segment, samplesSeen }) => {
      text += decoder.push(ids, segment);
      onProgress?.(Math.min(samplesSeen, audio.samples.length), audio.samples.length);
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
      dtype,
      segments: result.segments,
      words: timedWords(tekken, result.tokens, result.segments),
    };
  } finally {
    session.close();
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
        'out-dir': { type: 'string' },
      },
      usage,
    );
    if (positionals.length === 0) throw new CliUsageError(`expected an AUDIO file\nusage: ${usage}`);
    const outDir = values['out-dir'];
    if (positionals.length > 1 && outDir === undefined) throw new CliUsageError('several AUDIO files need --out-dir DIR (one output file each)');
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
      if (outDir === undefined) {
        io.out(render(await transcribeFile(options, audioProgress(io, path.basename(options.audio))), format));
        return 0;
      }
      return await transcribeInto(outDir, positionals, options, format, io);
    } catch (err) {
      // Engine and audio problems are the user's files or machine, not bugs: one clear line.
      if (err instanceof EngineError || err instanceof AudioFileError) throw new CliUsageError(err.message);
      throw err;
    }
  },
};

const EXTENSIONS: Record<OutputFormat, string> = { text: 'txt', json: 'json', srt: 'srt', vtt: 'vtt' };

/**
 * Each file into `outDir` as <name>.<format's extension>, the model loaded once; a file that
 * cannot be read or transcribed is reported and the rest go on (exit status 1 if any failed).
 */
async function transcribeInto(outDir: string, files: readonly string[], options: TranscribeOptions, format: OutputFormat, io: CliIo): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  const transcriber = await openTranscriber(options);
  const written = new Set<string>();
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const audio = await readForTranscription(file, (message) => io.err(`warning: ${file}: ${message}\n`));
        const progress = audioProgress(io, path.basename(file));
        const result = await transcriber.transcribe(audio, progress);
        progress?.(audio.samples.length, audio.samples.length);
        const out = outputPath(outDir, file, EXTENSIONS[format], written);
        writeFileSync(out, render(result, format));
        io.out(`${file} → ${out}\n`);
      } catch (err) {
        if (!(err instanceof AudioFileError || err instanceof EngineError)) throw err;
        failed += 1;
        io.err(`voxtral transcribe: ${file}: ${err.message}\n`);
      }
    }
  } finally {
    transcriber.dispose();
  }
  if (files.length > 1) io.err(`${files.length - failed} of ${files.length} files transcribed\n`);
  return failed ? 1 : 0;
}

/** <outDir>/<name without extension>.<ext>, -2, -3… where two inputs share a name. */
function outputPath(outDir: string, file: string, ext: string, taken: Set<string>): string {
  const stem = path.basename(file, path.extname(file));
  let out = path.join(outDir, `${stem}.${ext}`);
  for (let n = 2; taken.has(out); n++) out = path.join(outDir, `${stem}-${n}.${ext}`);
  taken.add(out);
  return out;
}

function render(result: TranscribeResult, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(result)}\n`;
  if (format === 'text') return `${result.text.trim()}\n`;
  return formatSubtitles(subtitleCues(result.words), format);
}

/**
 * How far into a file the transcription is, on a terminal only (a line redrawn in place, ended
 * once when the file is done): scripts, pipes and logs get nothing but the result.
 */
export function audioProgress(io: CliIo, name: string, isTty = Boolean(process.stderr.isTTY)): ((seen: number, total: number) => void) | undefined {
  if (!isTty) return undefined;
  const report = progressReporter(io, `transcribing ${name}`, true);
  const clock = (samples: number) => {
    const s = Math.round(samples / 16_000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  let ended = false;
  return (seen, total) => {
    if (ended) return;
    ended = seen >= total;
    report(seen, total, `${clock(seen)} of ${clock(total)}`);
  };
}
