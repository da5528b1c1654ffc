// Editing the user's replacement rules and words, shared by the settings view and the core's replacer.

import {
  MAX_REPLACEMENT_RULES, MAX_SPOKEN_CHARS, MAX_VOCABULARY_WORD_CHARS, MAX_VOCABULARY_WORDS, MAX_WRITTEN_CHARS, type ReplacementRule,
} from './ipc-contract';

/** A spoken form as stored: runs of whitespace as one space, no outer spaces. */
function tidySpoken(spoken: string): string {
  return spoken.trim().replace(/\s+/g, ' ');
}

/** A spoken form as matched: tidied and in lower case. */
export function normalizeSpoken(spoken: string): string {
  return tidySpoken(spoken).toLowerCase();
}

/** `written` as typed in one line: the two characters \n stand for a line break. */
export function writtenFromInput(input: string): string {
  return input.replace(/\\n/g, '\n');
}

/** `written` shown on one line, line breaks as \n (the inverse of writtenFromInput). */
export function writtenForDisplay(written: string): string {
  return written.replace(/\n/g, '\\n');
}

/**
 * The rules with `spoken` → `written` added, replacing a rule for the same spoken form; an error
 * message instead when the rule cannot be added.
 */
export function withRule(rules: readonly ReplacementRule[], spoken: string, written: string): ReplacementRule[] | string {
  const tidy = tidySpoken(spoken);
  if (!tidy) return 'Say which words to replace.';
  if (tidy.length > MAX_SPOKEN_CHARS) return `The spoken words are too long (at most ${MAX_SPOKEN_CHARS} characters).`;
  if (written.length > MAX_WRITTEN_CHARS) return `The replacement is too long (at most ${MAX_WRITTEN_CHARS} characters).`;
  const key = tidy.toLowerCase();
  const others = rules.filter((r) => normalizeSpoken(r.spoken) !== key);
  if (others.length >= MAX_REPLACEMENT_RULES) return `There can be at most ${MAX_REPLACEMENT_RULES} replacements.`;
  return [...others, { spoken: tidy, written }];
}

/** Whether `word` can be one of the user's words: one word of letters and digits (phrases are replacements). */
export function isVocabularyWord(word: string): boolean {
  return /^[\p{L}\p{N}]+$/u.test(word);
}

/**
 * The user's words with those in `input` added (separated by commas or spaces; one listed again in
 * another case takes the new casing); an error message instead when one cannot be added.
 */
export function withWords(words: readonly string[], input: string): string[] | string {
  const added = input.split(/[\s,;]+/u).filter(Boolean);
  if (added.length === 0) return 'Type a word to add.';
  let next = [...words];
  for (const word of added) {
    if (!isVocabularyWord(word)) return `"${word}" is not one word of letters and digits; write phrases and symbols as a replacement.`;
    if (word.length > MAX_VOCABULARY_WORD_CHARS) return `"${word.slice(0, 20)}…" is too long (at most ${MAX_VOCABULARY_WORD_CHARS} characters).`;
    next = next.filter((w) => w.toLowerCase() !== word.toLowerCase());
    next.push(word);
  }
  if (next.length > MAX_VOCABULARY_WORDS) return `There can be at most ${MAX_VOCABULARY_WORDS} words.`;
  return next;
}
