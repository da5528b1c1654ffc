// Messages on the harness WebSocket. Text messages are JSON; audio frames travel as binary
// messages of raw little-endian float32 samples (one frame per message).

import { isCallName, type AppEvent, type CallName, type Result } from '../common/ipc-contract';
import { int, isPlainObject, object, oneOf, optional, type Validator, ValidationError } from '../common/validate';

export const BRIDGE_PATH = '/__harness/ws';
export const BRIDGE_SCRIPT_PATH = '/__harness/bridge.js';
/** Where the bridge uploads a dropped file (the stand-in for the preload's path lookup). */
export const DROP_UPLOAD_PATH = '/__harness/drop';
/** Largest WebSocket message accepted (a 1 s frame is 64 KB; calls are small). */
export const BRIDGE_MAX_PAYLOAD_BYTES = 1024 * 1024;

export type ClientMessage =
  | { t: 'call'; id: number; name: CallName; request?: unknown }
  | { t: 'audio-end' };

export type ServerMessage =
  | { t: 'result'; id: number; result: Result<unknown> }
  | { t: 'event'; event: AppEvent };

const callName: Validator<CallName> = (v, path = '') => {
  if (!isCallName(v)) throw new ValidationError(path, `is not a contract call: ${String(v).slice(0, 80)}`);
  return v;
};

const callMessage = object<{ t: 'call'; id: number; name: CallName; request?: unknown }>({
  t: oneOf(['call'] as const),
  id: int(0, Number.MAX_SAFE_INTEGER),
  name: callName,
  request: optional((v) => v), // checked by AppCore against the call's own validator
});
const audioEndMessage = object<{ t: 'audio-end' }>({ t: oneOf(['audio-end'] as const) });

export const validateClientMessage: Validator<ClientMessage> = (v, path = '') =>
  isPlainObject(v) && v.t === 'audio-end' ? audioEndMessage(v, path) : callMessage(v, path);
