/**
 * What kind of audio file this is, from its first bytes (never from its name: a voice memo saved
 * as .mp3 may well be AAC). The container and codec decide who decodes it: WAV, MP3, FLAC, Ogg
 * Vorbis and Ogg Opus are decoded here; anything else (M4A/AAC, WebM, video files, AIFF, …) only
 * by ffmpeg where the user has it.
 */

export type AudioFormatId =
  | 'wav' | 'mp3' | 'flac' | 'ogg-vorbis' | 'ogg-opus' // decoded here
  | 'ogg-other' | 'aac' | 'mp4' | 'matroska' | 'aiff' | 'caf' | 'amr' | 'asf' | 'wavpack' | 'unknown';

export interface AudioFormat {
  id: AudioFormatId;
  /** For messages: "MP3", "MP4/M4A (AAC, ALAC, …)", … */
  name: string;
}

/** How many leading bytes `sniffAudioFormat` wants (an ID3 tag before the audio may need more). */
export const SNIFF_BYTES = 64;

const NAMES: Record<AudioFormatId, string> = {
  wav: 'WAV', mp3: 'MP3', flac: 'FLAC', 'ogg-vorbis': 'Ogg Vorbis', 'ogg-opus': 'Ogg Opus',
  'ogg-other': 'Ogg (not Vorbis or Opus)', aac: 'AAC (ADTS)', mp4: 'MP4/M4A', matroska: 'WebM/Matroska',
  aiff: 'AIFF', caf: 'Core Audio (CAF)', amr: 'AMR', asf: 'WMA/ASF', wavpack: 'WavPack', unknown: 'unknown',
};

/** The formats this module decodes without ffmpeg. */
export const BUILT_IN_FORMATS: readonly AudioFormatId[] = ['wav', 'mp3', 'flac', 'ogg-vorbis', 'ogg-opus'];

function ascii(b: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function format(id: AudioFormatId): AudioFormat {
  return { id, name: NAMES[id] };
}

/**
 * Size of an ID3v2 tag at the start of `b` (its header included), or 0 where there is none. MP3
 * files, and some FLAC files, begin with one; the audio's own signature comes after it.
 */
export function id3TagLength(b: Uint8Array): number {
  if (!ascii(b, 0, 'ID3') || b.length < 10) return 0;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  const footer = b[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * The format of a file whose first bytes are `head` (at least SNIFF_BYTES where the file has them;
 * after an ID3 tag, pass the bytes that follow it as `afterId3`).
 */
export function sniffAudioFormat(head: Uint8Array, afterId3?: Uint8Array): AudioFormat {
  const b = head;
  if ((ascii(b, 0, 'RIFF') || ascii(b, 0, 'RF64')) && ascii(b, 8, 'WAVE')) return format('wav');
  if (ascii(b, 0, 'fLaC')) return format('flac');
  if (ascii(b, 0, 'OggS')) {
    // The first page holds the codec's identification header after its segment table.
    const segments = b.length > 26 ? b[26] : 0;
    const at = 27 + segments;
    if (ascii(b, at, 'OpusHead')) return format('ogg-opus');
    if (b[at] === 0x01 && ascii(b, at + 1, 'vorbis')) return format('ogg-vorbis');
    return format('ogg-other');
  }
  if (ascii(b, 4, 'ftyp')) return format('mp4');
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return format('matroska');
  if (ascii(b, 0, 'FORM') && (ascii(b, 8, 'AIFF') || ascii(b, 8, 'AIFC'))) return format('aiff');
  if (ascii(b, 0, 'caff')) return format('caf');
  if (ascii(b, 0, '#!AMR')) return format('amr');
  if (b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return format('asf');
  if (ascii(b, 0, 'wvpk')) return format('wavpack');
  if (ascii(b, 0, 'ID3')) {
    // Tagged audio: MP3 unless what follows the tag says otherwise.
    if (afterId3 && afterId3.length >= 4) {
      const inner = sniffAudioFormat(afterId3);
      if (inner.id !== 'unknown') return inner;
    }
    return format('mp3');
  }
  // An MPEG audio frame: 11 sync bits; layer bits 00 mean ADTS (AAC), else MPEG layer I, II or III.
  if (b[0] === 0xff && (b[1] & 0xe0) === 0xe0) return format(((b[1] >> 1) & 3) === 0 ? 'aac' : 'mp3');
  return format('unknown');
}
