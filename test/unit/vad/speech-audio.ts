// Test audio made on the spot: espeak-ng speech, trimmed to where the voice starts and ends, and
// sox-made silence or room noise, all as 16 kHz mono float32. Files go to a temp dir.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const RATE = 16_000;
export const FRAME = 1280;
export const FRAME_MS = 80;

const RAW_F32 = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-r', String(RATE), '-c', '1'];

export class AudioWorkshop {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'vxd-vad-'));
  private count = 0;

  /** Spoken text with no leading or trailing silence: the last sample is the end of the voice. */
  speech(text: string, voice = 'en-us', wordsPerMinute = 165): Float32Array {
    const wav = this.file('wav');
    execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', wav, text]);
    const raw = this.file('f32');
    // Trim both ends at 0.5 % of full scale (reverse, trim, reverse trims the tail).
    execFileSync('sox', [wav, ...RAW_F32, raw, 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse']);
    return this.read(raw);
  }

  /** Digital silence, or a quiet pink-noise floor like a room (about −50 dBFS). */
  silence(seconds: number, noise = false): Float32Array {
    const raw = this.file('f32');
    const synth = noise ? ['synth', String(seconds), 'pinknoise', 'vol', '0.003'] : ['trim', '0', String(seconds)];
    // -R: the same noise every run, so a failure can be reproduced.
    execFileSync('sox', ['-R', '-n', ...RAW_F32, raw, ...synth]);
    return this.read(raw);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(ext: string): string {
    return path.join(this.dir, `a${this.count++}.${ext}`);
  }

  private read(file: string): Float32Array {
    const bytes = readFileSync(file);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 80 ms engine frames (the last may be shorter), as separate copies like a capture port delivers. */
export function frames(pcm: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < pcm.length; i += FRAME) out.push(pcm.slice(i, i + FRAME));
  return out;
}

export const ms = (samples: number): number => (samples * 1000) / RATE;
