/**
 * WAV (RIFF/WAVE) parser: PCM 8/16/24/32-bit integer and IEEE float 32/64, any channel count
 * (WAVE_FORMAT_EXTENSIBLE included). Every read is bounds-checked; corrupt or unsupported files
 * throw a WavError that says what is wrong.
 */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** One Float32Array per channel, samples in [-1, 1] for integer formats. */
  channelData: Float32Array[];
  /** 'pcm16', 'pcm24', 'float32', ... */
  encoding: string;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 64;

interface Fmt {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
  blockAlign: number;
}

function readFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw new WavError(`fmt chunk is ${size} bytes, expected at least 16`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavError('WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
    format = view.getUint16(at + 24, true); // first two bytes of the sub-format GUID
  }
  return { format, channels, sampleRate, bits, blockAlign };
}

function sampleReader(view: DataView, fmt: Fmt): { read: (at: number) => number; encoding: string } {
  const { format, bits } = fmt;
  if (format === FORMAT_PCM) {
    if (bits === 8) return { read: (at) => (view.getUint8(at) - 128) / 128, encoding: 'pcm8' };
    if (bits === 16) return { read: (at) => view.getInt16(at, true) / 32768, encoding: 'pcm16' };
    if (bits === 24)
      return {
        read: (at) => ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608),
        encoding: 'pcm24',
      };
    if (bits === 32) return { read: (at) => view.getInt32(at, true) / 2147483648, encoding: 'pcm32' };
  } else if (format === FORMAT_FLOAT) {
    if (bits === 32) return { read: (at) => view.getFloat32(at, true), encoding: 'float32' };
    if (bits === 64) return { read: (at) => view.getFloat64(at, true), encoding: 'float64' };
  } else {
    throw new WavError(`unsupported WAV encoding (format tag 0x${format.toString(16)}); use PCM or IEEE float`);
  }
  throw new WavError(`unsupported bit depth ${bits} for ${format === FORMAT_PCM ? 'PCM' : 'float'} WAV`);
}

export function parseWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavError('not a WAV file (no RIFF/WAVE header)');
  let fmt: Fmt | undefined;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = tag(pos);
    const declared = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + declared > bytes.length) throw new WavError('fmt chunk runs past the end of the file');
      fmt = readFmt(view, body, declared);
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      // Streaming writers leave 0 or 0xFFFFFFFF here; otherwise the size must fit the file.
      const streaming = declared === 0 || declared === 0xffffffff;
      if (!streaming && body + declared > bytes.length)
        throw new WavError(`WAV is truncated: data chunk declares ${declared} bytes, the file holds ${bytes.length - body}`);
      const size = streaming ? bytes.length - body : declared;
      return decode(view, fmt, body, size);
    }
    if (body + declared > bytes.length) break;
    pos = body + declared + (declared & 1);
  }
  throw new WavError(fmt ? 'WAV has no data chunk' : 'WAV has no fmt chunk');
}

function decode(view: DataView, fmt: Fmt, at: number, size: number): DecodedWav {
  const { channels, sampleRate, bits } = fmt;
  if (channels < 1 || channels > MAX_CHANNELS) throw new WavError(`WAV has ${channels} channels`);
  if (sampleRate < 1000 || sampleRate > 768000) throw new WavError(`WAV sample rate ${sampleRate} Hz is not supported`);
  const { read, encoding } = sampleReader(view, fmt);
  const bytesPerSample = bits / 8;
  const frameBytes = bytesPerSample * channels;
  const frames = Math.floor(size / frameBytes);
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    const base = at + f * frameBytes;
    for (let c = 0; c < channels; c++) {
      // float64 values beyond float32's range would become ±Infinity; NaN and those read as silence.
      const v = Math.fround(read(base + c * bytesPerSample));
      channelData[c][f] = Number.isFinite(v) ? v : 0;
    }
  }
  return { sampleRate, channels, channelData, encoding };
}

/** Averages all channels into one. */
export function mixToMono(channelData: Float32Array[]): Float32Array {
  if (channelData.length === 1) return channelData[0];
  const n = channelData[0].length;
  const out = new Float32Array(n);
  for (const ch of channelData) for (let i = 0; i < n; i++) out[i] += ch[i];
  const inv = 1 / channelData.length;
  for (let i = 0; i < n; i++) out[i] *= inv;
  return out;
}
