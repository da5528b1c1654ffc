// Editing the user's replacement rules, shared by the settings view and the core's replacer.

import { MAX_REPLACEMENT_RULES, type ReplacementRule } from './ipc-contract';

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
  const key = normalizeSpoken(spoken);
  if (!key) return 'Say which words to replace.';
  if (key.length > 200) return 'The spoken words are too long (at most 200 characters).';
  if (written.length > 2000) return 'The replacement is too long (at most 2000 characters).';
  const others = rules.filter((r) => normalizeSpoken(r.spoken) !== key);
  if (others.length >= MAX_REPLACEMENT_RULES) return `There can be at most ${MAX_REPLACEMENT_RULES} replacements.`;
  return [...others, { spoken: tidySpoken(spoken), written }];
}
