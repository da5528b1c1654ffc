// The overlay page: follows the core's dictation events through the same preload API as the main
// window and renders the pill. It has no controls: the overlay never takes focus or clicks.

import { StrictMode, useEffect, useReducer } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToCore } from '../src/ipc/client';
import { INITIAL_OVERLAY, NOTICE_MS, reduceOverlay, type OverlayEvent } from './overlay-model';
import { OverlayView } from './OverlayView';
import './overlay.css';

type Subscribe = (listener: (payload: unknown) => void) => () => void;

function Overlay() {
  const [model, dispatch] = useReducer(reduceOverlay, INITIAL_OVERLAY);
  useEffect(() => {
    const client = connectToCore();
    void client.call('getDictationStatus').then((r) => { if (r.ok) dispatch({ type: 'state', status: r.value }); });
    void client.call('getDesktopStatus').then((r) => { if (r.ok) dispatch({ type: 'desktop', desktop: r.value }); });
    const offs = [
      client.on('state', (status) => dispatch({ type: 'state', status })),
      client.on('partial', (partial) => dispatch({ type: 'partial', partial })),
      client.on('error', (error) => dispatch({ type: 'error', error })),
      client.on('speech', (speech) => dispatch({ type: 'speech', speech })),
      client.on('notice', (notice) => dispatch({ type: 'notice', notice })),
      client.on('desktop', (desktop) => dispatch({ type: 'desktop', desktop })),
    ];
    // The microphone level is not in the IPC contract yet; follow it once it is.
    const level = (window.voxtral?.on as unknown as Record<string, Subscribe | undefined>)?.level;
    if (level) offs.push(level((value) => dispatch({ type: 'level', level: value } satisfies OverlayEvent)));
    return () => offs.forEach((off) => off());
  }, []);
  useEffect(() => {
    if (model.notice === null) return;
    const timer = setTimeout(() => dispatch({ type: 'notice-expired' }), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [model.notice]);
  return <OverlayView model={model} />;
}

const root = createRoot(document.getElementById('overlay-root')!);
try {
  root.render(<StrictMode><Overlay /></StrictMode>);
} catch (err) {
  root.render(<p role="alert">{(err as Error).message}</p>);
}
