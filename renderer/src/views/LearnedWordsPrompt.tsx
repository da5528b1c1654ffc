// After the user corrected a transcript in History: what the correction taught (lessonsFromEdit),
// offered in one click each, so the same mistake is not made again: words for Your words
// ("github" → "GitHub", "voxtrel" → "Voxtral") and phrases heard for one word as replacements
// ("vox troll" → "Voxtral").

import type { EditLessons } from '../../../electron/common/vocabulary';
import { withRule, withWords } from '../../../electron/common/replacement-rules';
import { useAppState } from '../stores/store-context';

/** A lesson the user took: the word added, or the spoken form of the replacement added. */
export type TakenLesson = { word: string } | { spoken: string };

/** `lessons` without the one taken; null when none is left. */
export function withoutLesson(lessons: EditLessons, taken: TakenLesson): EditLessons | null {
  const next = 'word' in taken
    ? { ...lessons, words: lessons.words.filter((w) => w !== taken.word) }
    : { ...lessons, replacements: lessons.replacements.filter((r) => r.spoken !== taken.spoken) };
  return next.words.length + next.replacements.length > 0 ? next : null;
}

export function LearnedWordsPrompt({ lessons, onTaken, onDismiss }: { lessons: EditLessons; onTaken(taken: TakenLesson): void; onDismiss(): void }) {
  const current = useAppState((s) => s.settings?.replacements);
  const updateSettings = useAppState((s) => s.updateSettings);
  const addWord = async (word: string) => {
    const next = withWords(current?.words ?? [], word);
    if (typeof next !== 'string' && !(await updateSettings({ replacements: { words: next } }))) return;
    onTaken({ word });
  };
  const addRule = async (spoken: string, written: string) => {
    const next = withRule(current?.rules ?? [], spoken, written);
    if (typeof next !== 'string' && !(await updateSettings({ replacements: { rules: next } }))) return;
    onTaken({ spoken });
  };
  const count = lessons.words.length + lessons.replacements.length;
  return (
    <div className="learned-words" data-testid="learned-words" role="status">
      <span>Write {count === 1 ? 'it' : 'them'} this way next time too?</span>
      {lessons.words.map((word) => (
        <button key={word} type="button" className="button secondary" onClick={() => void addWord(word)}>Add “{word}” to your words</button>
      ))}
      {lessons.replacements.map(({ spoken, written }) => (
        <button key={spoken} type="button" className="button secondary" onClick={() => void addRule(spoken, written)}>Write “{spoken}” as “{written}”</button>
      ))}
      <button type="button" className="button secondary" onClick={onDismiss}>No thanks</button>
    </div>
  );
}
