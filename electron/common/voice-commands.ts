// Spoken commands that act on text instead of being written: a dictation that is nothing but one
// of these phrases (any case, any punctuation around it) is the command.

/**
 * "Scratch that": remove the last dictation, as Dragon users say it; and the same short order in
 * the other Latin-script languages Voxtral transcribes (French, German, Spanish, Italian,
 * Portuguese, Dutch), with and without the accent the model may leave off.
 */
const SCRATCH_PHRASES = new Set([
  'scratch that', 'undo that',
  'efface ça', 'efface ca', 'annule ça', 'annule ca',
  'streich das', 'lösch das', 'lösche das', 'losch das',
  'borra eso', 'deshaz eso',
  'cancella questo', 'annulla questo',
  'apaga isso', 'desfaz isso',
  'schrap dat', 'wis dat',
]);

export function isScratchCommand(text: string): boolean {
  const words = text.toLowerCase().replace(/[^\p{L}\p{N}\s']/gu, ' ').trim().split(/\s+/).join(' ');
  return SCRATCH_PHRASES.has(words);
}
