// Dictating into apps on Wayland under a real compositor (headless sway): the focused app, asked
// of sway's IPC through swaymsg with a real window open (a terminal, foot, is told apart from
// other apps, so it gets Ctrl+Shift+V, and per-app modes can name it); a whole paste into it as
// the app makes one (wl-clipboard, wtype); and live typing with wtype. What arrived is read back
// from the line the terminal's shell received.
//
// Needs: sway, foot, wtype, wl-clipboard (see .ci/run) and vxd-wl-offer (built with the engine).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipboardLender, detectPlatformInsertion, NodeCommandRunner, pasteText, WAYLAND_OFFER_HELPER, waylandFocusLookup, WtypeKeys, YdotoolKeys } from '../../electron/core/insertion';
import { eventually } from './support/eventually';
import { startWaylandSession, type WaylandSession } from './support/wayland-session';

let wl: WaylandSession;
let runner: NodeCommandRunner;
const windows: ChildProcess[] = [];

beforeAll(async () => {
  wl = await startWaylandSession({ keyboard: true });
  runner = new NodeCommandRunner(wl.env);
}, 30_000);

afterAll(async () => {
  for (const w of windows) w.kill();
  await wl?.stop();
});

/** Opens a foot window with this app id (running `command`) and waits until sway has focused it. */
async function openFoot(appId: string, command: string[] = []): Promise<void> {
  const lookup = waylandFocusLookup(runner, wl.env)!;
  windows.push(spawn('foot', ['--app-id', appId, ...command], { env: wl.env, stdio: 'ignore' }));
  const deadline = Date.now() + 5000;
  while ((await lookup())?.name !== appId) {
    if (Date.now() > deadline) throw new Error(`sway did not focus the ${appId} window`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the focused app on sway', () => {
  it('no window: no app, and the paste chord is the plain one', async () => {
    const lookup = waylandFocusLookup(runner, wl.env);
    expect(lookup).not.toBeNull();
    expect(await lookup!()).toBeNull();
    expect(await new WtypeKeys(runner, lookup).focusedAppKind()).toBe('app');
  });

  it('a terminal has focus: its app id names it, and it is pasted into as a terminal', async () => {
    await openFoot('foot');
    const lookup = waylandFocusLookup(runner, wl.env)!;
    expect(await lookup()).toEqual({ name: 'foot', names: ['foot'] });
    const keys = new WtypeKeys(runner, lookup);
    expect(await keys.focusedAppKind()).toBe('terminal');
    expect(await keys.focusedApp!()).toEqual({ name: 'foot', names: ['foot'] });
  });

  it('another app has focus (a window whose app id is no terminal’s): an app, named by its app id', async () => {
    await openFoot('org.example.notes');
    const keys = new YdotoolKeys(runner, waylandFocusLookup(runner, wl.env));
    expect(await keys.focusedAppKind()).toBe('app');
    expect((await keys.focusedApp!())?.name).toBe('org.example.notes');
  });

  it('without the compositor’s IPC there is no lookup, and no focusedApp for per-app modes to call', () => {
    const env = { ...wl.env };
    delete env.SWAYSOCK;
    expect(waylandFocusLookup(runner, env)).toBeNull();
    expect(new WtypeKeys(runner, null).focusedApp).toBeUndefined();
  });
});

/**
 * Runs `run` with a foot terminal alone on the screen, focused and ready for keys, whose shell
 * reads one line, and a look at that line (null until Enter); closes the terminal afterwards.
 */
async function withShellLine(run: (line: () => string | null) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vxd-foot-'));
  try {
    const received = path.join(dir, 'line.txt');
    // The earlier windows go first, so that the focused foot is this one.
    for (const w of windows.splice(0)) w.kill();
    const lookup = waylandFocusLookup(runner, wl.env)!;
    await eventually('the earlier windows to close', async () => (await lookup()) === null);
    await openFoot('foot', ['sh', '-c', `read line; printf %s "$line" > '${received}'; sleep 30`]);
    // Focused is not yet ready for keys: a window just mapped drops those that come before it
    // has taken the keyboard's focus (a user's window has had it for long).
    await new Promise((r) => setTimeout(r, 700));
    await run(() => readIfThere(received));
  } finally {
    for (const w of windows.splice(0)) w.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a paste into a terminal on sway, end to end', () => {
  it('the dictation reaches the terminal’s shell through Ctrl+Shift+V, and the clipboard comes back', async () => {
    await runner.detach('wl-copy', ['--type', 'text/plain;charset=utf-8'], 'the user’s text');
    await withShellLine(async (line) => {
      // As the app ships it: offers through vxd-wl-offer (sway has data-control), with a receipt.
      const waylandOfferHelper = path.resolve(__dirname, '../..', WAYLAND_OFFER_HELPER);
      const platform = detectPlatformInsertion({ runner, platform: 'linux', env: wl.env, clipboardLender: new ClipboardLender(1000), waylandOfferHelper });
      expect(platform.available && platform.description).toBe('Wayland (wtype, wl-clipboard, the focused app from the compositor)');
      if (!platform.available) return;
      expect(await platform.keys.focusedAppKind()).toBe('terminal');
      const report = await pasteText('naïve dictation ✓', platform.keys, { clipboard: platform.clipboard });
      expect(report).toMatchObject({ method: 'pasted', receipt: 'read', restored: true });
      // The terminal fetches the pasted text from the clipboard's owner after the chord: an Enter
      // sent at once would overtake it.
      await new Promise((r) => setTimeout(r, 400));
      await runner.run('wtype', ['-k', 'Return']);
      await eventually('the shell to receive the line', async () => line() === 'naïve dictation ✓');
      await eventually('the clipboard to come back', async () =>
        (await runner.run('wl-paste', ['--no-newline'])).stdout.toString('utf8') === 'the user’s text');
    });
  });
});

describe('live typing into a terminal on sway', () => {
  it('wtype types the settled text, takes back what changed with backspaces, accents and symbols included', async () => {
    await withShellLine(async (line) => {
      const keys = new WtypeKeys(runner, waylandFocusLookup(runner, wl.env));
      await keys.typeText('Helo');
      await keys.backspace(1);
      await keys.typeText('lo, wörld ✓');
      await runner.run('wtype', ['-k', 'Return']);
      await eventually('the shell to receive the line', async () => line() === 'Hello, wörld ✓');
    });
  });
});

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

