import { Notices } from './components/Notices';
import { useAppState } from './stores/store-context';
import type { ViewName } from './stores/types';
import { DictationView } from './views/DictationView';
import { HistoryView } from './views/HistoryView';
import { SettingsView } from './views/SettingsView';

const TABS: { view: ViewName; label: string }[] = [
  { view: 'dictate', label: 'Dictate' },
  { view: 'history', label: 'History' },
  { view: 'settings', label: 'Settings' },
];

export function App() {
  const view = useAppState((s) => s.view);
  const setView = useAppState((s) => s.setView);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Voxtral Dictate</h1>
        <nav aria-label="Views">
          {TABS.map((tab) => (
            <button
              key={tab.view}
              type="button"
              className={`tab${view === tab.view ? ' active' : ''}`}
              aria-current={view === tab.view ? 'page' : undefined}
              onClick={() => setView(tab.view)}
            >
              {tab.label}
            </button>
          ))}
        </nav>
      </header>
      <Notices />
      <main>
        {view === 'dictate' && <DictationView />}
        {view === 'history' && <HistoryView />}
        {view === 'settings' && <SettingsView />}
      </main>
    </div>
  );
}
