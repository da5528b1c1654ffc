// The user's replacements ("voxtral" → "Voxtral", "new paragraph" → two newlines, "um" → nothing)
// applied to a transcript as it streams. Live typing types text the moment it settles and never
// takes it back, so a tail that may still become a rule's spoken form ("new" before "paragraph")
// is held until the next words decide it; with no rules nothing is held.
//
// Matching: whole words, case-insensitive, runs of whitespace in a rule equal to one space, the
// longest spoken form first. A rule that writes nothing also drops one space beside it, so
// "I um like" becomes "I like", not "I  like". Then the user's words (vocabulary.ts): a word no
// rule took is written as a listed word it stands for; a word that may still grow into one is held
// until it ends.

import type { ReplacementRule } from '../../common/ipc-contract';
import type { TimedText } from '../../common/subtitles';
import { normalizeSpoken } from '../../common/replacement-rules';
import { compileVocabulary, couldBeListed, spellAsListed, type VocabularyTerm } from '../../common/vocabulary';

interface Rule {
  words: string; // lower case, single spaces
  written: string;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const isWordChar = (c: string | undefined): boolean => c !== undefined && WORD_CHAR.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** The rules worth matching, longest spoken form first. */
function compileRules(rules: readonly ReplacementRule[]): Rule[] {
  return rules
    .map((r) => ({ words: normalizeSpoken(r.spoken), written: r.written }))
    .filter((r) => r.words.length > 0)
    .sort((a, b) => b.words.length - a.words.length);
}

type Match = { kind: 'none' } | { kind: 'wait' } | { kind: 'rule'; rule: Rule; end: number };

/** Whether `rule` matches `text` at `at` (input ends at text.length; `final`: no more will come). */
function matchRule(rule: Rule, text: string, at: number, final: boolean): Match {
  let i = at;
  for (let j = 0; j < rule.words.length; j += 1) {
    if (i >= text.length) return final ? { kind: 'none' } : { kind: 'wait' };
    const want = rule.words[j];
    if (want === ' ') {
      if (!isSpace(text[i])) return { kind: 'none' };
      while (isSpace(text[i])) i += 1;
      continue;
    }
    if (text[i].toLowerCase() !== want) return { kind: 'none' };
    i += 1;
  }
  // The word must end here: the next character decides, or the end of the stream.
  if (i >= text.length) return final ? { kind: 'rule', rule, end: i } : { kind: 'wait' };
  return isWordChar(text[i - 1]) && isWordChar(text[i]) ? { kind: 'none' } : { kind: 'rule', rule, end: i };
}

/** Applies compiled rules to a text that arrives in pieces; `output` only ever grows. */
export class StreamingReplacer {
  private readonly rules: Rule[];
  private readonly terms: VocabularyTerm[];
  private input = ''; // the held tail, after one character already decided
  private consumed = 0; // input[0, consumed) is decided
  private out = '';

  constructor(rules: readonly ReplacementRule[], words: readonly string[] = []) {
    this.rules = compileRules(rules);
    this.terms = compileVocabulary(words);
  }

  get output(): string {
    return this.out;
  }

  /** How many characters of the input are held, not yet decided (the end of what was pushed). */
  get held(): number {
    return this.input.length - this.consumed;
  }

  /** `piece` extends the input; returns what output gained. */
  push(piece: string): string {
    return this.advance(piece, false);
  }

  /** The input is complete (with `piece`): held text is decided. Returns what output gained. */
  finish(piece = ''): string {
    return this.advance(piece, true);
  }

  private advance(piece: string, final: boolean): string {
    this.input += piece;
    const text = this.input;
    const before = this.out.length;
    if (this.rules.length === 0 && this.terms.length === 0) {
      this.out += text.slice(this.consumed);
      this.consumed = text.length;
    }
    while (this.consumed < text.length) {
      const at = this.consumed;
      const match = this.firstMatch(text, at, final);
      if (match.kind === 'wait') break;
      if (match.kind === 'none') {
        this.out += text[at];
        this.consumed = at + 1;
        continue;
      }
      this.out += match.rule.written;
      this.consumed = match.end;
      // Writing nothing between two spaces (or at the start) would leave a double space.
      if (match.rule.written === '' && isSpace(text[this.consumed]) && (this.out === '' || isSpace(this.out[this.out.length - 1]))) {
        this.consumed += 1;
      }
    }
    // Keep only what is held, and one character before it (whole-word checks look back one).
    if (this.consumed > 1) {
      this.input = this.input.slice(this.consumed - 1);
      this.consumed = 1;
    }
    return this.out.slice(before);
  }

  /** A rule that matches at `at`; 'wait' when a longer or any rule could still match there. */
  private firstMatch(text: string, at: number, final: boolean): Match {
    let waiting = false;
    for (const rule of this.rules) {
      // Whole words: a spoken form that starts with a letter or digit starts a word.
      if (isWordChar(rule.words[0]) && isWordChar(text[at - 1])) continue;
      const m = matchRule(rule, text, at, final);
      if (m.kind === 'rule' && !waiting) return m;
      if (m.kind === 'wait') waiting = true;
    }
    return waiting ? { kind: 'wait' } : this.listedWord(text, at, final);
  }

  /** The user's word that the word starting at `at` stands for; 'wait' while it may still grow into one. */
  private listedWord(text: string, at: number, final: boolean): Match {
    if (this.terms.length === 0 || !isWordChar(text[at]) || isWordChar(text[at - 1])) return { kind: 'none' };
    let end = at;
    while (isWordChar(text[end])) end += 1;
    const heard = text.slice(at, end);
    if (end >= text.length && !final) return couldBeListed(heard.toLowerCase(), this.terms) ? { kind: 'wait' } : { kind: 'none' };
    const written = spellAsListed(heard, this.terms);
    return written === null ? { kind: 'none' } : { kind: 'rule', rule: { words: heard.toLowerCase(), written }, end };
  }
}

/**
 * The user's rules and words on timed words (a transcribed file's subtitles), as on its text: the words go
 * through the same streaming replacer, and what comes out is timed by the words it came from,
 * from the first one the replacer had held back to the one that let it out: one for one where the
 * count is the same, else evenly over their span (a phrase replaced spans the words it replaced).
 * Line breaks a rule writes become spaces: a cue's lines are the subtitle's own.
 */
export function applyToWords(words: readonly TimedText[], rules: readonly ReplacementRule[], listed: readonly string[] = []): TimedText[] {
  if (compileRules(rules).length === 0 && compileVocabulary(listed).length === 0) return words.map((w) => ({ ...w }));
  const replacer = new StreamingReplacer(rules, listed);
  const out: TimedText[] = [];
  const ends: number[] = []; // input offset where each word pushed so far ends
  let pushed = 0;
  let next = 0; // the first word whose output has not come out yet
  /** What came out, timed by words [next, upTo]. */
  const emit = (gained: string, upTo: number) => {
    const parts = gained.split(/\s+/u).filter(Boolean);
    if (parts.length === 0) return;
    const from = words.slice(next, upTo + 1);
    if (parts.length === from.length) parts.forEach((text, i) => out.push({ text, startMs: from[i].startMs, endMs: from[i].endMs }));
    else {
      const start = from[0].startMs, step = (from.at(-1)!.endMs - start) / parts.length;
      parts.forEach((text, i) => out.push({ text, startMs: start + i * step, endMs: start + (i + 1) * step }));
    }
  };
  /** After a push: the first word with input still undecided (its output is still to come). */
  const firstHeld = (): number => {
    const decided = pushed - replacer.held;
    const first = ends.findIndex((end) => end > decided);
    return first < 0 ? ends.length : first;
  };
  let gained = ''; // output not yet timed: part of a word may come out before the rest is decided
  words.forEach((word, i) => {
    const piece = i === 0 ? word.text : ` ${word.text}`;
    pushed += piece.length;
    ends.push(pushed);
    gained += replacer.push(piece);
    const held = firstHeld();
    // Words before `held` are decided and all they gave is out (a rule writing nothing gives no words).
    if (held > next) {
      emit(gained, held - 1);
      gained = '';
      next = held;
    }
  });
  gained += replacer.finish();
  if (next < words.length) emit(gained, words.length - 1);
  return out;
}
