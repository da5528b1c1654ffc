// Typed access to the main-process core through window.voxtral (the preload API in Electron, the
// loopback bridge in the browser harness; this code cannot tell which). Every answer and event is
// validated against the contract, so a bad payload becomes a clear error instead of a broken view.

import {
  eventValidators, responseValidators, resultValidator, validateDroppedFileResult,
  type CallName, type CallRequest, type CallResponse, type EventMap, type EventName, type Result, type VoxtralApi,
} from '../../../electron/common/ipc-contract';
import { check } from '../../../electron/common/validate';

declare global {
  interface Window {
    voxtral?: VoxtralApi;
  }
}

export interface VoxtralClient {
  call<K extends CallName>(name: K, ...request: CallRequest<K> extends void ? [] : [CallRequest<K>]): Promise<Result<CallResponse<K>>>;
  on<K extends EventName>(name: K, listener: (payload: EventMap[K]) => void): () => void;
  requestAudioPort(): void;
  /** Registers a dropped File with main; answers the path to pass to transcribeFile. */
  registerDroppedFile(file: File): Promise<Result<{ path: string }>>;
}

export function createClient(api: VoxtralApi, log: (message: string) => void = console.warn): VoxtralClient {
  return {
    async call(name, ...request) {
      let raw: unknown;
      try {
        raw = await (api[name] as (req?: unknown) => Promise<unknown>)(request[0]);
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: `Could not reach the app core: ${(err as Error)?.message ?? err}` } };
      }
      const valid = check(resultValidator(responseValidators[name] as (v: unknown) => unknown), raw);
      if (!valid.ok) {
        log(`invalid answer to ${name}: ${valid.message}`);
        return { ok: false, error: { code: 'internal', message: `The app core sent an invalid answer to ${name}.` } };
      }
      return valid.value as never;
    },
    on(name, listener) {
      return api.on[name]((payload: unknown) => {
        const valid = check(eventValidators[name] as (v: unknown) => unknown, payload);
        if (valid.ok) listener(valid.value as never);
        else log(`dropped invalid ${name} event: ${valid.message}`);
      });
    },
    requestAudioPort: () => api.requestAudioPort(),
    async registerDroppedFile(file) {
      let raw: unknown;
      try {
        raw = await api.registerDroppedFile(file);
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: `Could not reach the app core: ${(err as Error)?.message ?? err}` } };
      }
      const valid = check(validateDroppedFileResult, raw);
      if (valid.ok) return valid.value;
      log(`invalid answer to registerDroppedFile: ${valid.message}`);
      return { ok: false, error: { code: 'internal', message: 'The app core sent an invalid answer to registerDroppedFile.' } };
    },
  };
}

/** The client for this page; throws a clear error if the page was opened outside the app. */
export function connectToCore(): VoxtralClient {
  if (!window.voxtral) throw new Error('window.voxtral is missing: open this page through the app or the browser harness.');
  return createClient(window.voxtral);
}
