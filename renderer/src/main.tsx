import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { driveCapture } from './audio/capture-driver';
import { keepMicrophoneWarm } from './audio/keep-warm';
import { playSoundCues } from './audio/sound-cues';
import { connectLevel } from './audio/level-source';
import { WorkletCapture } from './audio/worklet-capture';
import { connectToCore } from './ipc/client';
import { connectStore, createAppStore } from './stores/app-store';
import { StoreProvider } from './stores/store-context';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const client = connectToCore();
  const store = createAppStore(client);
  connectStore(store, client);
  connectLevel(client);
  const capture = new WorkletCapture(client);
  driveCapture(store, capture);
  keepMicrophoneWarm(store, capture);
  playSoundCues(store);
  root.render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
} catch (err) {
  root.render(<p className="error" role="alert">{(err as Error).message}</p>);
}
