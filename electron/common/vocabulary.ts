// The user's words ("Voxtral", "Kubernetes", "iPhone"): names and terms written exactly as listed.
// A heard word is written as a listed one when it is the same word in another case, the same word
// with a plural ending ("iphones" → "iPhones"), or a near miss that sounds the same. Voxtral has no
// prompt to bias in a streaming session, so this is the lever a dictation app has, as Handy's
// custom words are.
//
// Near misses are kept narrow on purpose, because a wrong "correction" of an ordinary word is worse
// than a missed one: only for listed words of 5 letters or more, 1 edit (2 from 9 letters), the
// first letter the same, and each edit one that a listener could mishear: a vowel for a vowel, a
// consonant for one of its sound class (Soundex's: b f p v / c g j k q s x z / d t / m n), or a
// vowel or a doubled letter more or less. So "voxtrel" and "kubernetis" are corrected, "clause"
// never becomes "Claude" (s and d sound apart).

import type { ReplacementRule, ReplacementSettings } from './ipc-contract';
import { isVocabularyWord, normalizeSpoken } from './replacement-rules';

const VOWELS = new Set('aeiouy');
const SOUND_CLASS: Record<string, number> = {};
['bfpv', 'cgjkqsxz', 'dt', 'mn'].forEach((letters, i) => {
  for (const c of letters) SOUND_CLASS[c] = i + 1;
});

export const MIN_NEAR_MISS_CHARS = 5;

export interface VocabularyTerm {
  /** As listed (the casing it is written with). */
  word: string;
  lower: string;
}

export function compileVocabulary(words: readonly string[]): VocabularyTerm[] {
  const seen = new Set<string>();
  const out: VocabularyTerm[] = [];
  for (const word of words) {
    const trimmed = word.trim();
    const lower = trimmed.toLowerCase();
    if (!isVocabularyWord(trimmed) || seen.has(lower)) continue;
    seen.add(lower);
    out.push({ word: trimmed, lower });
  }
  return out;
}

/** Edits a near miss may have: 1, or 2 from 9 letters; none below MIN_NEAR_MISS_CHARS. */
function allowedEdits(length: number): number {
  return length < MIN_NEAR_MISS_CHARS ? 0 : length < 9 ? 1 : 2;
}

/** One letter heard for another that sounds alike: vowel for vowel, or the same consonant class. */
function soundsAlike(a: string, b: string): boolean {
  if (VOWELS.has(a) || VOWELS.has(b)) return VOWELS.has(a) && VOWELS.has(b);
  const ca = SOUND_CLASS[a], cb = SOUND_CLASS[b];
  return ca !== undefined && ca === cb;
}

/** A letter that may be heard extra or missed: a vowel, or one doubling its neighbour. */
function slight(word: string, i: number): boolean {
  const c = word[i];
  return VOWELS.has(c) || c === word[i - 1] || c === word[i + 1];
}

/**
 * The fewest mishearing edits (soundsAlike substitutions, slight insertions or deletions) from
 * `heard` to `term`, both lower case; more than `limit` as limit + 1.
 */
function mishearingDistance(heard: string, term: string, limit: number): number {
  const n = heard.length, m = term.length;
  if (Math.abs(n - m) > limit) return limit + 1;
  const far = limit + 1;
  let prev = Array.from({ length: m + 1 }, (_, j) => (j <= limit && [...term.slice(0, j)].every((_, k) => slight(term, k)) ? j : far));
  for (let i = 1; i <= n; i += 1) {
    const row = new Array<number>(m + 1).fill(far);
    row[0] = prev[0] + (slight(heard, i - 1) ? 1 : far);
    for (let j = 1; j <= m; j += 1) {
      const a = heard[i - 1], b = term[j - 1];
      let best = prev[j - 1] + (a === b ? 0 : soundsAlike(a, b) ? 1 : far);
      best = Math.min(best, prev[j] + (slight(heard, i - 1) ? 1 : far)); // heard has an extra letter
      best = Math.min(best, row[j - 1] + (slight(term, j - 1) ? 1 : far)); // heard missed one
      row[j] = Math.min(best, far);
    }
    prev = row;
  }
  return Math.min(prev[m], far);
}

const PLURAL = /^(?:s|es)$/;

/**
 * How `heard` (one word) should be written: the listed word (with a plural ending kept), or null
 * when no listed word is meant or it is already written so.
 */
export function spellAsListed(heard: string, terms: readonly VocabularyTerm[]): string | null {
  if (terms.length === 0 || !isVocabularyWord(heard)) return null;
  const lower = heard.toLowerCase();
  let best: { written: string; edits: number } | null = null;
  for (const term of terms) {
    if (lower === term.lower) return heard === term.word ? null : term.word;
    if (lower.startsWith(term.lower) && PLURAL.test(lower.slice(term.lower.length))) {
      const ending = heard.slice(term.lower.length);
      // "iPhones", not "iPhoneS": the ending follows the listed word's last letter.
      const last = term.word[term.word.length - 1];
      const written = term.word + (last === last.toLowerCase() ? ending.toLowerCase() : ending.toUpperCase());
      return written === heard ? null : written;
    }
    const limit = allowedEdits(term.lower.length);
    if (limit === 0 || lower[0] !== term.lower[0] || lower.length < MIN_NEAR_MISS_CHARS) continue;
    const edits = mishearingDistance(lower, term.lower, limit);
    if (edits <= limit && (!best || edits < best.edits)) best = { written: term.word, edits };
  }
  return best && best.written !== heard ? best.written : null;
}

/**
 * Whether a word that starts with `partial` (lower case, still growing) could end up written as a
 * listed word: the streaming replacer holds it back only then.
 */
export function couldBeListed(partial: string, terms: readonly VocabularyTerm[]): boolean {
  return terms.some((t) => t.lower[0] === partial[0]);
}

const WORD_RUN = /[\p{L}\p{N}]+/gu;

/** The words of `text` with where they start. */
function wordsOf(text: string): { word: string; at: number }[] {
  return [...text.matchAll(WORD_RUN)].map((m) => ({ word: m[0], at: m.index ?? 0 }));
}

/** Whether the word at `at` starts a sentence (the text's start, or after . ! ? or a line break). */
function startsSentence(text: string, at: number): boolean {
  const before = text.slice(0, at).replace(/[ \t"'“”‘’()]+$/u, '');
  return before === '' || /[.!?\n]$/u.test(before);
}

/** What a correction taught (History → Edit): words for the list, and phrases heard for one word. */
export interface EditLessons {
  words: string[];
  replacements: ReplacementRule[];
}

/**
 * What the user taught by correcting a transcript: each word they changed into another, one for
 * one, that listing would have written so (spellAsListed: "github" → "GitHub", "voxtrel" →
 * "Voxtral"), not a capital the sentence's start asks for ("the" → "The") nor a word already
 * listed; and each run of 2 or 3 words they joined into one that sounds like them run together
 * ("vox troll" → "Voxtral", "git hub" → "GitHub"), as a replacement, unless one is set for those
 * words. In the order of the text, each once.
 */
export function lessonsFromEdit(before: string, after: string, settings: Readonly<ReplacementSettings>): EditLessons {
  let a = wordsOf(before), b = wordsOf(after);
  // The words both texts start and end with are unchanged: an edit is usually a few words, so the
  // table below covers only what lies between.
  let head = 0, tail = 0;
  while (head < a.length && head < b.length && a[head].word === b[head].word) head += 1;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail].word === b[b.length - 1 - tail].word) tail += 1;
  a = a.slice(head, a.length - tail);
  b = b.slice(head, b.length - tail);
  const lessons: EditLessons = { words: [], replacements: [] };
  // Longest common subsequence of the words (case-sensitive), then the gaps between matches: a
  // gap of as many words on each side is words changed one for one; 2 or 3 words for one may be
  // a phrase misheard for it; anything else is a rewrite.
  const n = a.length, m = b.length;
  if (n * m > 1_000_000) return lessons; // most of a long entry rewritten: nothing to learn word by word
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i -= 1)
    for (let j = m - 1; j >= 0; j -= 1) lcs[i][j] = a[i].word === b[j].word ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const knownWords = new Set((settings.words ?? []).map((w) => w.toLowerCase()));
  const knownSpoken = new Set(settings.rules.map((r) => normalizeSpoken(r.spoken)));
  const word = (from: { word: string }, to: { word: string; at: number }) => {
    const lower = to.word.toLowerCase();
    if (knownWords.has(lower) || !isVocabularyWord(to.word)) return;
    // Only the first letter capitalised, where a sentence starts: grammar, not a name.
    const capitalOnly = from.word.toLowerCase() === lower && to.word.slice(1) === from.word.slice(1);
    if (capitalOnly && startsSentence(after, to.at)) return;
    if (spellAsListed(from.word, compileVocabulary([to.word])) !== to.word) return;
    knownWords.add(lower);
    lessons.words.push(to.word);
  };
  const phrase = (from: readonly { word: string }[], to: { word: string }) => {
    const spoken = from.map((w) => w.word).join(' ');
    const joined = spoken.replace(/ /g, '').toLowerCase(), target = to.word.toLowerCase();
    if (knownSpoken.has(normalizeSpoken(spoken)) || !isVocabularyWord(to.word) || target.length < MIN_NEAR_MISS_CHARS) return;
    if (joined[0] !== target[0] && !soundsAlike(joined[0], target[0])) return;
    // One edit more than a single word may have: the run's own boundaries blur it.
    const limit = allowedEdits(target.length) + 1;
    if (mishearingDistance(joined, target, limit) > limit) return;
    knownSpoken.add(normalizeSpoken(spoken));
    lessons.replacements.push({ spoken, written: to.word });
  };
  let i = 0, j = 0, gi = 0, gj = 0;
  const closeGap = () => {
    if (i - gi === j - gj) for (let k = 0; k < i - gi; k += 1) word(a[gi + k], b[gj + k]);
    else if (j - gj === 1 && i - gi >= 2 && i - gi <= 3) phrase(a.slice(gi, i), b[gj]);
  };
  while (i < n && j < m) {
    if (a[i].word === b[j].word) {
      closeGap();
      i += 1, j += 1, gi = i, gj = j;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) i += 1;
    else j += 1;
  }
  i = n, j = m;
  closeGap();
  return lessons;
}
