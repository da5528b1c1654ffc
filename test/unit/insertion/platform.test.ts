import { describe, expect, it } from 'vitest';
import { detectPlatformInsertion, linuxSession, WL_CLIPBOARD_MISSING } from '../../../electron/core/insertion/platform';
import { AppleScriptKeys, appleScriptString } from '../../../electron/core/insertion/macos';
import { SendKeysInjector, sendKeysEscape } from '../../../electron/core/insertion/windows';
import { FakeRunner } from './fakes';
import { FakeElectronClipboard } from './electron-fake';

function withTools(...tools: string[]): FakeRunner {
  const r = new FakeRunner();
  r.installed = new Set(tools);
  return r;
}

describe('detectPlatformInsertion', () => {
  it('X11 with xdotool and xclip is available', () => {
    const p = detectPlatformInsertion({ runner: withTools('xdotool', 'xclip'), platform: 'linux', env: { DISPLAY: ':0' } });
    expect(p.available).toBe(true);
    if (p.available) expect([p.keys.name, p.clipboard.name, p.primary?.name]).toEqual(['xdotool', 'xclip', 'xclip']);
  });

  it('X11 names the missing tools and how to install them', () => {
    const p = detectPlatformInsertion({ runner: withTools('xclip'), platform: 'linux', env: { DISPLAY: ':0' } });
    expect(p.available).toBe(false);
    if (!p.available) {
      expect(p.reason).toMatch(/needs xdotool/);
      expect(p.reason).toMatch(/apt install xdotool/);
      expect(p.clipboard?.name).toBe('xclip');
    }
  });

  it('X11 inside the app restores formats through Electron and offers through xclip', () => {
    const p = detectPlatformInsertion({ runner: withTools('xdotool', 'xclip'), platform: 'linux', env: { DISPLAY: ':0' }, electronClipboard: new FakeElectronClipboard() });
    expect(p.available && p.clipboard.name).toBe('electron+xclip');
  });

  it('no display at all is explained, not crashed on', () => {
    const p = detectPlatformInsertion({ runner: withTools('xdotool', 'xclip'), platform: 'linux', env: {} });
    expect(p.available).toBe(false);
    if (!p.available) expect(p.reason).toMatch(/No graphical session/);
  });

  it('Wayland on GNOME without ydotool explains that wtype cannot work there', () => {
    const env = { WAYLAND_DISPLAY: 'wayland-0', XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' };
    const p = detectPlatformInsertion({ runner: withTools('wtype', 'wl-copy', 'wl-paste'), platform: 'linux', env, electronClipboard: new FakeElectronClipboard() });
    expect(p.available).toBe(false);
    if (!p.available) {
      expect(p.reason).toMatch(/does not support wtype.*ydotool.*Until then the text is left on the clipboard/);
      expect(p.clipboard?.name).toBe('wl-clipboard');
    }
  });

  it('Wayland without wl-clipboard says the clipboard cannot be reached from the background, not that the text is on it', () => {
    const env = { WAYLAND_DISPLAY: 'wayland-1', XDG_CURRENT_DESKTOP: 'sway' };
    const p = detectPlatformInsertion({ runner: withTools('wtype'), platform: 'linux', env, electronClipboard: new FakeElectronClipboard() });
    expect(p.available).toBe(false);
    if (!p.available) {
      expect(p.reason).toBe(WL_CLIPBOARD_MISSING);
      expect(p.clipboard).toBeNull();
    }
  });

  it('Wayland on Sway uses wtype', () => {
    const env = { WAYLAND_DISPLAY: 'wayland-1', XDG_CURRENT_DESKTOP: 'sway' };
    const p = detectPlatformInsertion({ runner: withTools('wtype', 'wl-copy', 'wl-paste'), platform: 'linux', env, electronClipboard: new FakeElectronClipboard() });
    expect(p.available && [p.keys.name, p.clipboard.name, p.description]).toEqual(['wtype', 'wl-clipboard', 'Wayland (wtype, wl-clipboard)']);
  });

  it('Wayland on GNOME with ydotool pastes with Shift+Insert, the one chord no layout moves', async () => {
    const env = { WAYLAND_DISPLAY: 'wayland-0', XDG_CURRENT_DESKTOP: 'GNOME' };
    const runner = withTools('ydotool', 'wl-copy', 'wl-paste');
    const p = detectPlatformInsertion({ runner, platform: 'linux', env, electronClipboard: new FakeElectronClipboard() });
    expect(p.available && p.keys.name).toBe('ydotool');
    if (p.available) await p.keys.sendPaste('app');
    expect(runner.runs[0]).toMatchObject({ file: 'ydotool', args: ['key', '42:1', '110:1', '110:0', '42:0'] });
  });

  it('Wayland is detected from XDG_SESSION_TYPE too', () => {
    expect(linuxSession({ XDG_SESSION_TYPE: 'wayland', DISPLAY: ':0' })).toBe('wayland');
    expect(linuxSession({ DISPLAY: ':0' })).toBe('x11');
  });

  it('macOS without Accessibility permission says where to grant it', () => {
    const p = detectPlatformInsertion({ runner: withTools(), platform: 'darwin', env: {}, electronClipboard: new FakeElectronClipboard(), accessibilityTrusted: () => false });
    expect(p.available).toBe(false);
    if (!p.available) expect(p.reason).toMatch(/Privacy & Security → Accessibility/);
  });

  it('Windows uses SendKeys', () => {
    const p = detectPlatformInsertion({ runner: withTools(), platform: 'win32', env: {}, electronClipboard: new FakeElectronClipboard() });
    expect(p.available && p.keys.name).toBe('SendKeys');
  });
});

describe('the focused app on other platforms (per-app modes; commands as sent, not run on a Mac or Windows here)', () => {
  it('macOS asks System Events for the frontmost app’s name and bundle id, only with the Accessibility permission', async () => {
    const runner = new FakeRunner((file) => (file === 'osascript' ? () => ({ stdout: Buffer.from('Slack\ncom.tinyspeck.slackmacgap\n') }) : undefined));
    const trusted = new AppleScriptKeys(runner, () => true);
    expect(await trusted.focusedApp()).toEqual({ name: 'Slack', names: ['Slack', 'com.tinyspeck.slackmacgap'] });
    expect(runner.runs[0].args[1]).toContain('whose frontmost is true');
    expect(await new AppleScriptKeys(runner, () => false).focusedApp()).toBeNull();
    expect(runner.runs).toHaveLength(1);
    const failing = new FakeRunner((file) => (file === 'osascript' ? () => ({ code: 1 }) : undefined));
    expect(await new AppleScriptKeys(failing, () => true).focusedApp()).toBeNull();
  });

  it('Windows asks the foreground window’s process name, the script on stdin', async () => {
    const runner = new FakeRunner((file) => (file === 'powershell.exe' ? () => ({ stdout: Buffer.from('Code\r\n') }) : undefined));
    expect(await new SendKeysInjector(runner).focusedApp()).toEqual({ name: 'Code', names: ['Code'] });
    expect(runner.runs[0].args).toEqual(['-NoProfile', '-NonInteractive', '-Command', '-']);
    expect(runner.runs[0].input).toContain('GetForegroundWindow');
    const silent = new FakeRunner((file) => (file === 'powershell.exe' ? () => ({ stdout: Buffer.from('\r\n') }) : undefined));
    expect(await new SendKeysInjector(silent).focusedApp()).toBeNull();
    expect(new SendKeysInjector(runner).focusedAppCostly).toBe(true); // asked only when a rule needs it
  });
});

describe('escaping for other platforms', () => {
  it('escapes SendKeys metacharacters', () => {
    expect(sendKeysEscape('a+b^(c)%~{x}[y]\nz')).toBe('a{+}b{^}{(}c{)}{%}{~}{{}x{}}{[}y{]}{ENTER}z');
  });
  it('quotes AppleScript strings', () => {
    expect(appleScriptString('say "hi" \\ ok')).toBe('"say \\"hi\\" \\\\ ok"');
  });
});
