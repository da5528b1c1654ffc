// Spoken commands that act on text instead of being written: a dictation that is nothing but one
// of these phrases (any case, any punctuation around it) is the command.

/** "Scratch that": remove the last dictation, as Dragon users say it. */
const SCRATCH_PHRASES = new Set(['scratch that', 'undo that']);

export function isScratchCommand(text: string): boolean {
  const words = text.toLowerCase().replace(/[^\p{L}\p{N}\s']/gu, ' ').trim().split(/\s+/).join(' ');
  return SCRATCH_PHRASES.has(words);
}
