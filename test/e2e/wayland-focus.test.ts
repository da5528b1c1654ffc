// The focused app on Wayland, asked of the compositor (sway's IPC through swaymsg) with a real
// window open: a terminal (foot) is told apart from other apps, so it gets Ctrl+Shift+V, and
// per-app modes can name it.
//
// Needs: sway, foot (see .ci/run).

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCommandRunner, waylandFocusLookup, WtypeKeys, YdotoolKeys } from '../../electron/core/insertion';
import { startWaylandSession, type WaylandSession } from './support/wayland-session';

let wl: WaylandSession;
let runner: NodeCommandRunner;
const windows: ChildProcess[] = [];

beforeAll(async () => {
  wl = await startWaylandSession();
  runner = new NodeCommandRunner(wl.env);
}, 30_000);

afterAll(async () => {
  for (const w of windows) w.kill();
  await wl?.stop();
});

/** Opens a foot window with this app id and waits until sway has focused it. */
async function openFoot(appId: string): Promise<void> {
  const lookup = waylandFocusLookup(runner, wl.env)!;
  windows.push(spawn('foot', ['--app-id', appId], { env: wl.env, stdio: 'ignore' }));
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
