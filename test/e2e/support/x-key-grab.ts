// Electron's globalShortcut on X11, as the end-to-end tests need it: a passive key grab on the
// root window (XGrabKey, every lock-key variant), held here by xbindkeys. It matters because
// while the user holds a grabbed chord's key, X gives every key to the grabbing client, typed
// ones too (measured under Xvfb: nothing reached the focused xterm). The app's key is grabbed in
// real use, so tests that type while the hotkey is held must have it grabbed too.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GlobalShortcutLike } from '../../../electron/core/hotkey/hotkey-service';

const MODIFIERS: Record<string, string> = { Control: 'Control', Shift: 'Shift', Alt: 'Mod1', Super: 'Mod4' };
const KEYSYMS: Record<string, string> = {
  Space: 'space', Return: 'Return', Tab: 'Tab', ';': 'semicolon', '=': 'equal', ',': 'comma', '-': 'minus', '.': 'period',
  '/': 'slash', '`': 'grave', '[': 'bracketleft', '\\': 'backslash', ']': 'bracketright', "'": 'apostrophe',
};

/** xbindkeys' spelling of an accelerator as toElectronAccelerator writes it ("Control+Shift+Space"). */
export function xbindkeysChord(accelerator: string): string {
  const parts = accelerator.split('+');
  const key = parts.pop()!;
  const mods = parts.map((m) => {
    const x = MODIFIERS[m];
    if (!x) throw new Error(`no X modifier for "${m}"`);
    return x;
  });
  return `${mods.join('+')}${mods.length ? ' + ' : ''}${KEYSYMS[key] ?? (/^[A-Z]$/.test(key) ? key.toLowerCase() : key)}`;
}

export class XKeyGrab implements GlobalShortcutLike {
  private readonly grabs = new Map<string, { process: ChildProcess; ready: Promise<void>; dir: string }>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  register(accelerator: string, callback: () => void): boolean {
    if (this.grabs.has(accelerator)) return false;
    const dir = mkdtempSync(path.join(tmpdir(), 'voxtral-grab-'));
    const rc = path.join(dir, 'xbindkeysrc');
    const marker = `voxtral-grab-pressed-${process.pid}`;
    writeFileSync(rc, `"echo ${marker}"\n  ${xbindkeysChord(accelerator)}\n`);
    // -n: stay in the foreground; -v: says "starting loop" once its grabs are in place.
    const child = spawn('stdbuf', ['-oL', 'xbindkeys', '-n', '-v', '-f', rc], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`xbindkeys did not grab ${accelerator} within 5 s: ${out}`)), 5000);
      child.on('error', (err) => { clearTimeout(timer); reject(new Error(`xbindkeys could not run: ${err.message} (apt install xbindkeys)`)); });
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('starting loop')) { clearTimeout(timer); resolve(); }
        for (const line of d.toString().split('\n')) if (line.trim() === marker) callback();
      });
      child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    });
    ready.catch(() => undefined);
    this.grabs.set(accelerator, { process: child, ready, dir });
    return true;
  }

  unregister(accelerator: string): void {
    const grab = this.grabs.get(accelerator);
    if (!grab) return;
    this.grabs.delete(accelerator);
    grab.process.kill();
    rmSync(grab.dir, { recursive: true, force: true });
  }

  /** Resolves once every registered grab is in place. */
  async ready(): Promise<void> {
    await Promise.all([...this.grabs.values()].map((g) => g.ready));
  }

  dispose(): void {
    for (const accelerator of [...this.grabs.keys()]) this.unregister(accelerator);
  }
}
