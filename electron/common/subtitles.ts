// Subtitles from timed words (native-models/js/continuation/timed-words.ts): cues of at most two
// lines of 42 characters and 6 s, broken after a sentence or at a pause, as SubRip (.srt) or
// WebVTT (.vtt). Plain functions: the CLI and the page use the same ones.

export interface TimedText {
  text: string;
  startMs: number;
  endMs: number;
}

export interface Cue extends TimedText {
  /** The text in at most two lines. */
  lines: string[];
}

export const SUBTITLE_FORMATS = ['srt', 'vtt'] as const;
export type SubtitleFormat = (typeof SUBTITLE_FORMATS)[number];

const LINE_CHARS = 42;
const MAX_CUE_MS = 6000;
/** A silence this long between words starts a new cue. */
const PAUSE_MS = 1000;
/** A sentence end closes the cue once it has this much. */
const SENTENCE_CUE_MS = 1500;
/** Shortest time a cue stays up (when the next one leaves room). */
const MIN_CUE_MS = 800;

export function subtitleCues(words: readonly TimedText[]): Cue[] {
  const groups: TimedText[][] = [];
  let current: TimedText[] = [];
  for (const word of words) {
    const last = current.at(-1);
    if (last) {
      const text = [...current, word].map((w) => w.text).join(' ');
      const breakHere = word.startMs - last.endMs >= PAUSE_MS
        || word.endMs - current[0].startMs > MAX_CUE_MS
        || wrap(text) === null
        || (/[.!?…]["'”’)]*$/u.test(last.text) && last.endMs - current[0].startMs >= SENTENCE_CUE_MS);
      if (breakHere) {
        groups.push(current);
        current = [];
      }
    }
    current.push(word);
  }
  if (current.length) groups.push(current);
  return groups.map((group, i) => {
    const text = group.map((w) => w.text).join(' ');
    const startMs = group[0].startMs;
    const next = groups[i + 1]?.[0].startMs ?? Number.POSITIVE_INFINITY;
    const endMs = Math.min(Math.max(group.at(-1)!.endMs, startMs + MIN_CUE_MS), next);
    return { text, startMs, endMs, lines: wrap(text) ?? [text] };
  });
}

/** The text in one or two lines of at most LINE_CHARS, split at the most even space; null if it does not fit. */
function wrap(text: string): string[] | null {
  if (text.length <= LINE_CHARS) return [text];
  let best: string[] | null = null;
  for (let i = text.indexOf(' '); i >= 0; i = text.indexOf(' ', i + 1)) {
    const lines = [text.slice(0, i), text.slice(i + 1)];
    if (lines.every((l) => l.length <= LINE_CHARS) && (!best || Math.abs(lines[0].length - lines[1].length) < Math.abs(best[0].length - best[1].length))) best = lines;
  }
  // A single word longer than a line still gets a cue of its own.
  return best ?? (text.includes(' ') ? null : [text]);
}

function clock(ms: number, separator: ',' | '.'): string {
  const t = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}${separator}${pad(t % 1000, 3)}`;
}

export function formatSubtitles(cues: readonly Cue[], format: SubtitleFormat): string {
  if (format === 'vtt') {
    // WebVTT cue text is markup: the three characters that could start a tag or an entity are escaped.
    const escape = (line: string) => line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = cues.map((c) => `${clock(c.startMs, '.')} --> ${clock(c.endMs, '.')}\n${c.lines.map(escape).join('\n')}\n`);
    return ['WEBVTT\n', ...body].join('\n');
  }
  return cues.map((c, i) => `${i + 1}\n${clock(c.startMs, ',')} --> ${clock(c.endMs, ',')}\n${c.lines.join('\n')}\n`).join('\n');
}
