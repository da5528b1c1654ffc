// The microphone level (0..1, from the core's `level` event, one per 80 ms frame) for meters. Kept
// out of the React store on purpose: 12 updates a second would re-render every subscriber, so
// meters subscribe here and paint the value straight into the DOM.

import type { VoxtralClient } from '../ipc/client';

type LevelListener = (level: number) => void;

const listeners = new Set<LevelListener>();
let latest = 0;

/** Feeds the core's level events to the meters; returns the unsubscribe. */
export function connectLevel(client: Pick<VoxtralClient, 'on'>): () => void {
  return client.on('level', (level) => {
    latest = level;
    for (const listener of listeners) listener(level);
  });
}

export function subscribeLevel(listener: LevelListener): () => void {
  listeners.add(listener);
  listener(latest);
  return () => { listeners.delete(listener); };
}
