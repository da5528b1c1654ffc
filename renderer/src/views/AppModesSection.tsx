// Per-app insertion modes: a mode for each named app (its window class), the default for the rest.

import { useId, useState } from 'react';
import { canonicalAppName, withAppRule } from '../../../electron/common/app-insertion-rules';
import type { AppInsertionRule, InsertionMode } from '../../../electron/common/ipc-contract';

const MODE_LABELS: Record<InsertionMode, string> = { paste: 'Paste', type: 'Type live', clipboard: 'Clipboard only' };
const MODES = Object.keys(MODE_LABELS) as InsertionMode[];

export function AppModesSection({ rules, recentApps, knowsApps, onChange }: {
  rules: readonly AppInsertionRule[];
  /** The apps dictated into lately (offered as names); [] when unknown. */
  recentApps: readonly string[];
  /** Whether this system tells the focused app (X11, macOS, Windows); null where nothing is known (the browser harness). */
  knowsApps: boolean | null;
  onChange(rules: AppInsertionRule[]): void;
}) {
  const [app, setApp] = useState('');
  const [mode, setMode] = useState<InsertionMode>('type');
  const [problem, setProblem] = useState<string | null>(null);
  const appId = useId();
  const modeId = useId();
  const listId = useId();

  const add = () => {
    const next = withAppRule(rules, app, mode);
    if (typeof next === 'string') {
      setProblem(next);
      return;
    }
    onChange(next);
    setApp('');
    setProblem(null);
  };
  const unruled = recentApps.filter((name) => !rules.some((rule) => canonicalAppName(rule.app) === canonicalAppName(name)));

  return (
    <div className="app-modes" data-testid="app-modes">
      <h4>Per app</h4>
      <p className="hint">
        Some apps take text better one way: type live into a chat, paste into an editor, leave it on the clipboard for a
        remote desktop. Name the app by its window class on Linux (e.g. firefox, code; its app id on Wayland, e.g. foot),
        its name on macOS (Slack), its process name on Windows (slack); other apps use the mode above.
      </p>
      {knowsApps === false && (
        <p className="warning" data-testid="app-modes-unavailable">
          This system does not tell which app has focus (on Wayland only sway and Hyprland do): every app gets the mode above.
        </p>
      )}
      {rules.length > 0 && (
        <ul className="app-rules">
          {rules.map((rule) => (
            <li key={rule.app}>
              <span>{rule.app}</span>
              <select aria-label={`Mode for ${rule.app}`} value={rule.mode}
                onChange={(e) => onChange(rules.map((r) => (r === rule ? { ...r, mode: e.target.value as InsertionMode } : r)))}>
                {MODES.map((m) => <option key={m} value={m}>{MODE_LABELS[m]}</option>)}
              </select>
              <button type="button" className="button secondary" aria-label={`Remove ${rule.app}`}
                onClick={() => onChange(rules.filter((r) => r !== rule))}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <form className="app-add" onSubmit={(e) => { e.preventDefault(); add(); }}>
        <label htmlFor={appId}>App</label>
        <input id={appId} value={app} list={listId} spellCheck={false} onChange={(e) => setApp(e.target.value)} />
        <datalist id={listId}>{unruled.map((name) => <option key={name} value={name} />)}</datalist>
        <label htmlFor={modeId}>Mode</label>
        <select id={modeId} value={mode} onChange={(e) => setMode(e.target.value as InsertionMode)}>
          {MODES.map((m) => <option key={m} value={m}>{MODE_LABELS[m]}</option>)}
        </select>
        <button type="submit" className="button">Add</button>
      </form>
      {unruled.length > 0 && (
        <p className="hint" data-testid="recent-apps">Dictated into lately: {unruled.join(', ')}</p>
      )}
      {problem && <p className="warning" role="alert">{problem}</p>}
    </div>
  );
}
