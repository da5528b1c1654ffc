/**
 * The compressed formats decoded without ffmpeg: MP3 (mpg123), FLAC (libFLAC), Ogg Vorbis
 * (libvorbis) and Ogg Opus (libopus), each compiled to WebAssembly by the wasm-audio-decoders
 * project (MIT packages; libFLAC, libvorbis and libopus are BSD-licensed, mpg123 LGPL-2.1). They
 * run in Node and in the browser alike, are fed the file in pieces and hand back blocks of float
 * samples per channel. A damaged frame is reported in `errors` and skipped, as a media player
 * would, rather than ending the decode.
 */
import type { AudioFormatId } from './audio-format.js';

export interface DecodedBlock {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: readonly { message: string }[];
}

/** The part of every wasm-audio-decoders decoder used here. */
export interface StreamDecoder {
  readonly ready: Promise<void>;
  decode(bytes: Uint8Array): DecodedBlock | Promise<DecodedBlock>;
  /** Decodes what the decoder still holds at the end of the input (not every decoder has one). */
  flush?(): Promise<DecodedBlock>;
  free(): void | Promise<void>;
}

export type BuiltInCompressedFormat = Extract<AudioFormatId, 'mp3' | 'flac' | 'ogg-vorbis' | 'ogg-opus'>;

/** The decoder for a format, its WebAssembly loaded on first use (each is 100–300 KB). */
export async function createDecoder(format: BuiltInCompressedFormat): Promise<StreamDecoder> {
  switch (format) {
    case 'mp3': {
      const { MPEGDecoder } = await import('mpg123-decoder');
      return new MPEGDecoder();
    }
    case 'flac': {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      return new FLACDecoder();
    }
    case 'ogg-vorbis': {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      return new OggVorbisDecoder();
    }
    case 'ogg-opus': {
      const { OggOpusDecoder } = await import('ogg-opus-decoder');
      return new OggOpusDecoder();
    }
  }
}

export function isBuiltInCompressed(format: AudioFormatId): format is BuiltInCompressedFormat {
  return format === 'mp3' || format === 'flac' || format === 'ogg-vorbis' || format === 'ogg-opus';
}
