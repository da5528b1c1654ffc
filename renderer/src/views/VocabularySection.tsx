// The user's words: names and terms written exactly as listed, as the transcript streams.

import { useId, useState } from 'react';
import { withWords } from '../../../electron/common/replacement-rules';

export function VocabularySection({ words, onChange }: { words: readonly string[]; onChange(words: string[]): void }) {
  const [input, setInput] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();

  const add = () => {
    const next = withWords(words, input);
    if (typeof next === 'string') {
      setProblem(next);
      return;
    }
    onChange(next);
    setInput('');
    setProblem(null);
  };

  return (
    <div className="card" data-testid="vocabulary">
      <h3>Your words</h3>
      <p className="hint">
        Names and terms, written just as you list them: "github" becomes "GitHub", and a near miss that
        sounds the same ("voxtrel") becomes "Voxtral" (for words of 5 letters or more). One word each;
        for phrases, add a replacement.
      </p>
      {words.length > 0 && (
        <ul className="word-chips">
          {words.map((word) => (
            <li key={word}>
              <span>{word}</span>
              <button type="button" aria-label={`Remove ${word}`} title="Remove" onClick={() => onChange(words.filter((w) => w !== word))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <form className="replacement-add" onSubmit={(e) => { e.preventDefault(); add(); }}>
        <label htmlFor={inputId}>Words</label>
        <input id={inputId} value={input} spellCheck={false} placeholder="Voxtral, Kubernetes" onChange={(e) => setInput(e.target.value)} />
        <button type="submit" className="button">Add</button>
      </form>
      {problem && <p className="warning" role="alert">{problem}</p>}
    </div>
  );
}
