/**
 * Any audio file as the engine's input (16 kHz mono floats): WAV, MP3, FLAC, Ogg Vorbis and Ogg
 * Opus decoded here; other formats (M4A/AAC, WebM, video, AIFF, …) through ffmpeg when the user
 * has it, with a message that says so when not. The format is read from the file's first bytes.
 * Compressed files are decoded in pieces and resampled as they go (engine-audio-sink.ts), so a
 * long recording is never held at its own rate. Every failure is an AudioFileError saying which
 * file, what it is and what to do.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { id3TagLength, SNIFF_BYTES, sniffAudioFormat, type AudioFormat } from './audio-format.js';
import { createDecoder, isBuiltInCompressed, type BuiltInCompressedFormat, type DecodedBlock } from './compressed-decoders.js';
import { AudioTooLongError, ENGINE_SAMPLE_RATE, EngineAudioSink } from './engine-audio-sink.js';
import { decodeWithFfmpeg, FfmpegError, findFfmpeg } from './ffmpeg.js';
import { toEngineAudio, type EngineAudio } from './load-audio.js';
import { parseWav, WavError } from './wav.js';

/** A WAV is read whole, so one larger than this (about 3 h of 16-bit 48 kHz stereo) is refused. */
export const MAX_WAV_FILE_BYTES = 2 * 1024 ** 3;
/** Longer audio is refused (16 kHz mono floats: 230 MB an hour, held for the transcription). */
export const MAX_AUDIO_SECONDS = 4 * 3600;
/** Pieces of a compressed file handed to its decoder. */
const READ_CHUNK_BYTES = 256 * 1024;

export type AudioFileProblem = 'not-found' | 'too-large' | 'too-long' | 'unsupported' | 'needs-ffmpeg' | 'corrupt' | 'no-audio' | 'io';

export class AudioFileError extends Error {
  constructor(readonly problem: AudioFileProblem, message: string) {
    super(message);
    this.name = 'AudioFileError';
  }
}

export interface AudioFile extends EngineAudio {
  format: AudioFormat;
  /** Who decoded it. */
  decoder: 'built-in' | 'ffmpeg';
  /** Damaged frames skipped by a built-in decoder (the rest of the file was kept). */
  skippedFrames: number;
}

export interface ReadAudioOptions {
  /** Stops the decode; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The ffmpeg to use for other formats; null for none; default: findFfmpeg(). */
  ffmpeg?: string | null;
  /** Refuse longer audio (default MAX_AUDIO_SECONDS). */
  maxSeconds?: number;
}

export async function readAudioFile(file: string, options: ReadAudioOptions = {}): Promise<AudioFile> {
  const name = `“${path.basename(file)}”`;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new AudioFileError('not-found', `Audio file not found: ${file}`);
  if (info.size === 0) throw new AudioFileError('no-audio', `${name} is empty.`);
  const format = await sniffFile(file);
  const maxSeconds = options.maxSeconds ?? MAX_AUDIO_SECONDS;
  const ffmpeg = options.ffmpeg === undefined ? findFfmpeg() : options.ffmpeg;
  try {
    if (format.id === 'wav') return await readWav(file, name, info.size, maxSeconds, ffmpeg, options.signal);
    if (isBuiltInCompressed(format.id)) return await decodeBuiltIn(file, format, format.id, maxSeconds, options.signal);
    if (!ffmpeg) {
      const what = format.id === 'unknown' ? 'is not an audio format this app reads' : `is ${article(format.name)} file`;
      throw new AudioFileError(format.id === 'unknown' ? 'unsupported' : 'needs-ffmpeg',
        `${name} ${what}: WAV, MP3, FLAC, Ogg Vorbis and Opus are read directly; for other formats install ffmpeg, or convert it to one of those.`);
    }
    return await decodeFfmpeg(ffmpeg, file, format, maxSeconds, options.signal);
  } catch (err) {
    throw explain(err, name, format);
  }
}

/** The first bytes decide; after an ID3 tag, the bytes that follow it. */
async function sniffFile(file: string): Promise<AudioFormat> {
  const handle = await open(file, 'r').catch((err: Error) => {
    throw new AudioFileError('io', `Could not open ${file}: ${err.message}`);
  });
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const first = head.subarray(0, bytesRead);
    const tag = id3TagLength(first);
    if (tag === 0) return sniffAudioFormat(first);
    const after = new Uint8Array(SNIFF_BYTES);
    const more = await handle.read(after, 0, SNIFF_BYTES, tag);
    return sniffAudioFormat(first, after.subarray(0, more.bytesRead));
  } finally {
    await handle.close();
  }
}

async function readWav(file: string, name: string, size: number, maxSeconds: number, ffmpeg: string | null,
  signal?: AbortSignal): Promise<AudioFile> {
  if (size > MAX_WAV_FILE_BYTES) throw new AudioFileError('too-large', `${name} is larger than ${MAX_WAV_FILE_BYTES / 1024 ** 3} GiB; split it first.`);
  const bytes = await readFile(file, { signal });
  let audio: EngineAudio;
  try {
    audio = toEngineAudio(parseWav(bytes));
  } catch (err) {
    // A WAV in an encoding we do not read (μ-law, ADPCM, …) may still be one ffmpeg reads.
    if (!(err instanceof WavError) || !ffmpeg) throw err;
    try {
      return await decodeFfmpeg(ffmpeg, file, { id: 'wav', name: 'WAV' }, maxSeconds, signal);
    } catch {
      throw err; // ffmpeg could not either: our own message is the clearer one
    }
  }
  if (audio.samples.length > maxSeconds * ENGINE_SAMPLE_RATE) throw new AudioTooLongError(maxSeconds);
  return { ...audio, format: { id: 'wav', name: 'WAV' }, decoder: 'built-in', skippedFrames: 0 };
}

async function decodeBuiltIn(file: string, format: AudioFormat, id: BuiltInCompressedFormat, maxSeconds: number,
  signal?: AbortSignal): Promise<AudioFile> {
  const decoder = await createDecoder(id);
  const sink = new EngineAudioSink(maxSeconds);
  let skippedFrames = 0;
  let firstError = '';
  const take = (block: DecodedBlock) => {
    skippedFrames += block.errors.length;
    if (!firstError && block.errors.length) firstError = block.errors[0].message;
    if (block.samplesDecoded > 0) sink.push(block.channelData.map((c) => c.subarray(0, block.samplesDecoded)), block.sampleRate);
  };
  try {
    await decoder.ready;
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, signal })) {
      take(await decoder.decode(new Uint8Array(chunk as Buffer)));
    }
    if (decoder.flush) take(await decoder.flush());
  } finally {
    await decoder.free();
  }
  const samples = sink.finish();
  if (samples.length === 0) {
    throw new AudioFileError(skippedFrames ? 'corrupt' : 'no-audio',
      skippedFrames ? `no ${format.name} audio could be decoded from it (${firstError})` : 'it holds no audio');
  }
  return {
    samples, format, decoder: 'built-in', skippedFrames,
    source: { sampleRate: sink.sourceRate, channels: sink.sourceChannels, encoding: id },
  };
}

async function decodeFfmpeg(ffmpeg: string, file: string, format: AudioFormat, maxSeconds: number,
  signal?: AbortSignal): Promise<AudioFile> {
  const sink = new EngineAudioSink(maxSeconds);
  await decodeWithFfmpeg(ffmpeg, file, (samples) => sink.push([samples], ENGINE_SAMPLE_RATE), signal);
  const samples = sink.finish();
  if (samples.length === 0) throw new AudioFileError('no-audio', 'ffmpeg found no audio in it');
  return {
    samples, format, decoder: 'ffmpeg', skippedFrames: 0,
    source: { sampleRate: ENGINE_SAMPLE_RATE, channels: 1, encoding: `ffmpeg (${format.name})` },
  };
}

/** Every failure as an AudioFileError naming the file; an abort passes through untouched. */
function explain(err: unknown, name: string, format: AudioFormat): unknown {
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (err instanceof AudioFileError) {
    return err.message.startsWith(name) || err.problem === 'not-found' || err.problem === 'io'
      ? err : new AudioFileError(err.problem, `${name} (${format.name}): ${err.message}.`);
  }
  if (err instanceof AudioTooLongError) return new AudioFileError('too-long', `${name} is ${err.message}; split it first.`);
  if (err instanceof WavError) return new AudioFileError('corrupt', `${name} is not a readable WAV file: ${err.message}`);
  if (err instanceof FfmpegError) {
    if (format.id === 'unknown' && !err.noAudio) return new AudioFileError('unsupported', `${name} is not an audio file this app or ffmpeg can read (${err.message}).`);
    return new AudioFileError(err.noAudio ? 'no-audio' : 'corrupt', `${name} (${format.name}): ${err.message}.`);
  }
  const message = err instanceof Error ? err.message : String(err);
  // A system error (permissions, a vanished disk) is the machine's; anything else a decoder threw is the file's.
  if (typeof (err as NodeJS.ErrnoException)?.code === 'string') return new AudioFileError('io', `Could not read ${name}: ${message}`);
  return new AudioFileError('corrupt', `${name} (${format.name}) could not be decoded: ${message}`);
}

function article(noun: string): string {
  return /^[AEFHILMNORSX]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

