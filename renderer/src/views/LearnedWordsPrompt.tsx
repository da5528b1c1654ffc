// After the user corrected a transcript in History: the words they fixed that Your words would
// have written so ("github" → "GitHub", "voxtrel" → "Voxtral"), offered to add in one click, so
// the same mistake is not made again.

import { withWords } from '../../../electron/common/replacement-rules';
import { useAppState } from '../stores/store-context';

export function LearnedWordsPrompt({ words, onDone }: { words: readonly string[]; onDone(remaining: string[]): void }) {
  const listed = useAppState((s) => s.settings?.replacements.words ?? []);
  const updateSettings = useAppState((s) => s.updateSettings);
  const add = async (word: string) => {
    const next = withWords(listed, word);
    if (typeof next !== 'string' && !(await updateSettings({ replacements: { words: next } }))) return;
    onDone(words.filter((w) => w !== word));
  };
  return (
    <div className="learned-words" data-testid="learned-words" role="status">
      <span>Write {words.length === 1 ? 'it' : 'them'} this way next time too?</span>
      {words.map((word) => (
        <button key={word} type="button" className="button secondary" onClick={() => void add(word)}>Add “{word}” to your words</button>
      ))}
      <button type="button" className="button secondary" onClick={() => onDone([])}>No thanks</button>
    </div>
  );
}
