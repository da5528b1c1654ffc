// The user's replacements: words said → text written, applied as the transcript streams.

import { useId, useState } from 'react';
import type { ReplacementRule } from '../../../electron/common/ipc-contract';
import { withRule, writtenForDisplay, writtenFromInput } from '../../../electron/common/replacement-rules';

export function ReplacementsSection({ rules, onChange }: { rules: readonly ReplacementRule[]; onChange(rules: ReplacementRule[]): void }) {
  const [spoken, setSpoken] = useState('');
  const [written, setWritten] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const spokenId = useId();
  const writtenId = useId();

  const add = () => {
    const next = withRule(rules, spoken, writtenFromInput(written));
    if (typeof next === 'string') {
      setProblem(next);
      return;
    }
    onChange(next);
    setSpoken('');
    setWritten('');
    setProblem(null);
  };

  return (
    <div className="card" data-testid="replacements">
      <h3>Replacements</h3>
      <p className="hint">
        Words you say, written your way: names, terms, or commands like "new paragraph". Whole words, any
        case; \n in the text writes a line break, and an empty text drops the words.
      </p>
      {rules.length > 0 && (
        <ul className="replacement-list">
          {rules.map((rule) => (
            <li key={rule.spoken}>
              <span>{rule.spoken}</span> → <code>{writtenForDisplay(rule.written) || '(nothing)'}</code>
              <button type="button" className="button secondary" aria-label={`Remove ${rule.spoken}`}
                onClick={() => onChange(rules.filter((r) => r !== rule))}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <form className="replacement-add" onSubmit={(e) => { e.preventDefault(); add(); }}>
        <label htmlFor={spokenId}>When I say</label>
        <input id={spokenId} value={spoken} spellCheck={false} onChange={(e) => setSpoken(e.target.value)} />
        <label htmlFor={writtenId}>Write</label>
        <input id={writtenId} value={written} spellCheck={false} onChange={(e) => setWritten(e.target.value)} />
        <button type="submit" className="button">Add</button>
      </form>
      {problem && <p className="warning" role="alert">{problem}</p>}
    </div>
  );
}
