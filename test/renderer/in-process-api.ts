// window.voxtral backed directly by an AppCore in the same process: the renderer's stores and
// views run against the real core without Electron, a browser or a socket.
import { CALL_NAMES, EVENT_NAMES, type EventName, type EventSubscriptions, type VoxtralApi } from '../../electron/common/ipc-contract';
import type { AppCore } from '../../electron/core/app/app-core';

export function inProcessApi(core: AppCore): VoxtralApi {
  const calls = Object.fromEntries(CALL_NAMES.map((name) => [name, (request?: unknown) =>
    // A structured clone, as IPC would make, so nothing is shared by reference.
    core.call(name, structuredClone(request)).then((r) => structuredClone(r))]));
  const on = Object.fromEntries(EVENT_NAMES.map((name: EventName) => [name, (listener: (payload: unknown) => void) =>
    core.onEvent((event) => { if (event.name === name) listener(structuredClone(event.payload)); })])) as unknown as EventSubscriptions;
  return { ...calls, on, requestAudioPort: () => undefined } as VoxtralApi;
}
