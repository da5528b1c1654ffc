// The global key hook (uiohook-napi: X11 XRecord, Windows low-level hook, macOS event tap),
// translated to RawKeyEvents. Only started after probeHook() said it is safe.

import type { Modifier } from './accelerator';
import type { RawKeyEvent } from './matcher';

export interface KeyHook {
  /** `onPointerDown`: a mouse button went down anywhere. */
  start(listener: (event: RawKeyEvent) => void, onPointerDown?: () => void): void;
  stop(): void;
}

interface UiohookKeyboardEvent { keycode: number; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }
interface UiohookModule {
  uIOhook: {
    on(event: 'keydown' | 'keyup', listener: (e: UiohookKeyboardEvent) => void): unknown;
    on(event: 'mousedown', listener: () => void): unknown;
    removeAllListeners(event?: string): unknown;
    start(): void;
    stop(): void;
  };
  UiohookKey: Record<string, number>;
}

/** Names for keycodes; modifiers and the numpad are left out (they are not hotkey keys here). */
export function keyNamesByCode(table: Record<string, number>): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, code] of Object.entries(table)) {
    if (/^(Ctrl|Alt|Shift|Meta)/.test(name) || name.startsWith('Numpad')) continue;
    if (typeof code === 'number' && !names.has(code)) names.set(code, name);
  }
  return names;
}

/** Names of the modifier keys' codes (Ctrl, CtrlRight, Alt, …). */
export function modifierNamesByCode(table: Record<string, number>): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, code] of Object.entries(table)) {
    if (/^(Ctrl|Alt|Shift|Meta)/.test(name) && typeof code === 'number') names.set(code, name);
  }
  return names;
}

export function modifiersOf(e: UiohookKeyboardEvent): Set<Modifier> {
  const m = new Set<Modifier>();
  if (e.ctrlKey) m.add('ctrl');
  if (e.altKey) m.add('alt');
  if (e.shiftKey) m.add('shift');
  if (e.metaKey) m.add('meta');
  return m;
}

export async function loadUiohook(): Promise<KeyHook> {
  const mod = (await import('uiohook-napi')) as unknown as UiohookModule & { default?: UiohookModule };
  const lib = mod.uIOhook ? mod : mod.default!;
  const names = keyNamesByCode(lib.UiohookKey);
  const modifierNames = modifierNamesByCode(lib.UiohookKey);
  let running = false;
  return {
    start(listener, onPointerDown) {
      const forward = (type: RawKeyEvent['type']) => (e: UiohookKeyboardEvent): void =>
        listener({ type, key: names.get(e.keycode) ?? null, modifiers: modifiersOf(e), modifierKey: modifierNames.get(e.keycode) ?? null });
      lib.uIOhook.on('keydown', forward('down'));
      lib.uIOhook.on('keyup', forward('up'));
      if (onPointerDown) lib.uIOhook.on('mousedown', () => onPointerDown());
      lib.uIOhook.start();
      running = true;
    },
    stop() {
      if (!running) return;
      running = false;
      lib.uIOhook.removeAllListeners('keydown');
      lib.uIOhook.removeAllListeners('keyup');
      lib.uIOhook.removeAllListeners('mousedown');
      lib.uIOhook.stop();
    },
  };
}
