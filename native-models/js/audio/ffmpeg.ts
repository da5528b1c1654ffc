/**
 * ffmpeg, where the user has it, for the audio formats not decoded here (M4A/AAC, WebM, video
 * files, AIFF, WMA, …): it decodes the first audio stream to 16 kHz mono float32 on its stdout.
 * It is never shipped with the app (licence and size); we only look for it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

import { ENGINE_SAMPLE_RATE } from './engine-audio-sink.js';

/**
 * Where ffmpeg is: `VXD_FFMPEG` if set (a path; empty or "none" turns ffmpeg off), else the first
 * `ffmpeg` on PATH, else (macOS, where an app started from the Finder gets a minimal PATH)
 * Homebrew's and MacPorts' folders. Null when there is none.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const forced = env.VXD_FFMPEG;
  if (forced !== undefined) return forced === '' || forced.toLowerCase() === 'none' ? null : forced;
  const exe = platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  if (platform === 'darwin') dirs.push('/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin');
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export class FfmpegError extends Error {
  constructor(message: string, readonly noAudio = false) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/**
 * Decodes `file`'s first audio stream with `ffmpeg`, handing 16 kHz mono samples to `onSamples`
 * as they come. Rejects with FfmpegError (ffmpeg's own last error line) when ffmpeg fails, or
 * with the signal's reason when aborted (ffmpeg is killed).
 */
export function decodeWithFfmpeg(ffmpeg: string, file: string, onSamples: (samples: Float32Array) => void,
  signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(ffmpeg, [
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-i', file,
      '-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE), '-f', 'f32le', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let carry = Buffer.alloc(0); // bytes of a float split across two reads
    let stderr = '';
    let failure: unknown = null;
    const onAbort = () => {
      failure = signal?.reason ?? new Error('aborted');
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % 4);
      carry = Buffer.from(bytes.subarray(whole));
      const samples = new Float32Array(whole / 4);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(i * 4);
      try {
        onSamples(samples);
      } catch (err) {
        failure = err; // the consumer refused (e.g. too long): stop ffmpeg
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (err) => {
      failure ??= new FfmpegError(`ffmpeg could not be started (${ffmpeg}): ${err.message}`);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code === 0) return resolve();
      const lines = stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean);
      const noAudio = lines.some((l) => /matches no streams/.test(l));
      const last = lines.at(-1) ?? `exit code ${code}`;
      reject(new FfmpegError(noAudio ? 'it has no audio track' : `ffmpeg could not decode it: ${last}`, noAudio));
    });
  });
}
