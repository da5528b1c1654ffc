import { describe, expect, it } from 'vitest';
import { YdotoolKeys } from '../../../electron/core/insertion/wayland';
import { waylandFocusLookup } from '../../../electron/core/insertion/wayland-focus';
import { FakeRunner } from './fakes';

function runnerAnswering(file: string, stdout: string): FakeRunner {
  const runner = new FakeRunner((f) => (f === file ? () => ({ stdout: Buffer.from(stdout) }) : undefined));
  runner.installed = new Set([file, 'ydotool']);
  return runner;
}

describe('the focused app on Wayland (commands as sent; sway itself runs in test/e2e/wayland-desktop.test.ts)', () => {
  it('sway: an XWayland window is named by its WM_CLASS, as on X11', async () => {
    const tree = { nodes: [{ nodes: [{ focused: false, app_id: 'firefox' }, { focused: true, app_id: null, window_properties: { class: 'XTerm', instance: 'xterm' } }] }] };
    const runner = runnerAnswering('swaymsg', JSON.stringify(tree));
    const lookup = waylandFocusLookup(runner, { SWAYSOCK: '/run/user/1000/sway-ipc.sock' })!;
    expect(await lookup()).toEqual({ name: 'xterm', names: ['xterm', 'XTerm'] });
    expect(runner.runs[0]).toMatchObject({ file: 'swaymsg', args: ['-t', 'get_tree', '-r'] });
  });

  it('Hyprland: the active window’s class, asked of hyprctl', async () => {
    const runner = runnerAnswering('hyprctl', JSON.stringify({ class: 'kitty', initialClass: 'kitty', title: 'vim' }));
    const lookup = waylandFocusLookup(runner, { HYPRLAND_INSTANCE_SIGNATURE: 'abc' })!;
    expect(await lookup()).toEqual({ name: 'kitty', names: ['kitty'] });
    expect(runner.runs[0]).toMatchObject({ file: 'hyprctl', args: ['activewindow', '-j'] });
  });

  it('GNOME and KDE answer no such query: no lookup', () => {
    expect(waylandFocusLookup(runnerAnswering('swaymsg', '{}'), { XDG_CURRENT_DESKTOP: 'GNOME' })).toBeNull();
  });

  it('ydotool pastes into a terminal with Ctrl+Shift+V (Shift+Insert would paste PRIMARY there), elsewhere with Shift+Insert', async () => {
    const runner = runnerAnswering('swaymsg', JSON.stringify({ focused: true, app_id: 'foot' }));
    const keys = new YdotoolKeys(runner, waylandFocusLookup(runner, { SWAYSOCK: '/s' }));
    const kind = await keys.focusedAppKind();
    expect(kind).toBe('terminal');
    await keys.sendPaste(kind);
    await keys.sendPaste('app');
    const chords = runner.runs.filter((r) => r.file === 'ydotool').map((r) => r.args.join(' '));
    expect(chords).toEqual(['key 29:1 42:1 47:1 47:0 42:0 29:0', 'key 42:1 110:1 110:0 42:0']);
  });
});
