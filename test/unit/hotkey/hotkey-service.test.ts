import { describe, expect, it, vi } from 'vitest';
import { hookPreconditions, probeHook } from '../../../electron/core/hotkey/hook-probe';
import { HotkeyService, type GlobalShortcutLike } from '../../../electron/core/hotkey/hotkey-service';
import type { RawKeyEvent } from '../../../electron/core/hotkey/matcher';
import type { KeyHook } from '../../../electron/core/hotkey/uiohook-source';

class FakeHook implements KeyHook {
  listener: ((e: RawKeyEvent) => void) | null = null;
  starts = 0;
  start(listener: (e: RawKeyEvent) => void): void { this.starts += 1; this.listener = listener; }
  stop(): void { this.listener = null; }
  key(type: 'down' | 'up', key: string, ...mods: ('ctrl' | 'alt' | 'shift' | 'meta')[]): void {
    this.listener?.({ type, key, modifiers: new Set(mods) });
  }
  modifier(type: 'down' | 'up', modifierKey: string): void {
    this.listener?.({ type, key: null, modifiers: new Set(), modifierKey });
  }
}

class FakeShortcut implements GlobalShortcutLike {
  taken = new Set<string>();
  registered = new Map<string, () => void>();
  register(accelerator: string, callback: () => void): boolean {
    if (this.taken.has(accelerator)) return false;
    this.registered.set(accelerator, callback);
    return true;
  }
  unregister(accelerator: string): void { this.registered.delete(accelerator); }
}

function service(probeOk: boolean, shortcut?: FakeShortcut, hook = new FakeHook()) {
  const log: string[] = [];
  const svc = new HotkeyService({
    handlers: { down: () => log.push('down'), up: () => log.push('up'), toggle: () => log.push('toggle'), cancel: () => log.push('cancel') },
    globalShortcut: shortcut,
    probe: async () => (probeOk ? { ok: true, reason: null } : { ok: false, reason: 'there is no X display (DISPLAY is not set)' }),
    loadHook: async () => hook,
    platform: 'linux',
  });
  return { svc, log, hook };
}

describe('HotkeyService', () => {
  it('uses the hook for hold-to-talk and reserves the key through globalShortcut', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log, hook } = service(true, shortcut);
    const status = await svc.apply('Ctrl+Alt+Space');
    expect(status).toMatchObject({ backend: 'hook', holdToTalk: true, message: null, conflicts: [] });
    expect([...shortcut.registered.keys()]).toEqual(['Control+Alt+Space']);
    hook.key('down', 'Space', 'ctrl', 'alt');
    hook.key('up', 'Space');
    expect(log).toEqual(['down', 'up']);
  });

  it('reports held modifiers from the hook, and none without a hook', async () => {
    const { svc, hook } = service(true, new FakeShortcut());
    expect(svc.modifiersHeld()).toBe(false);
    await svc.apply('F9');
    hook.modifier('down', 'Ctrl');
    expect(svc.modifiersHeld()).toBe(true);
    hook.modifier('up', 'Ctrl');
    expect(svc.modifiersHeld()).toBe(false);
    const fallback = service(false, new FakeShortcut());
    await fallback.svc.apply('F9');
    expect(fallback.svc.modifiersHeld()).toBe(false);
  });

  it('sees no modifier held only while the hook runs, sees our keys and reports none down', async () => {
    const { svc, hook } = service(true, new FakeShortcut());
    await svc.apply('Ctrl+Shift+Space');
    expect(svc.keystrokes.seesNoModifierHeld()).toBe(true);
    hook.modifier('down', 'Shift');
    expect(svc.keystrokes.seesNoModifierHeld()).toBe(false);
    // Shift alone only capitalises: typing goes on; Ctrl makes keys shortcuts: it stops.
    expect(svc.keystrokes.userHoldsShortcutKeys()).toBe(false);
    hook.modifier('down', 'CtrlRight');
    expect(svc.keystrokes.userHoldsShortcutKeys()).toBe(true);
    hook.modifier('up', 'CtrlRight');
    hook.modifier('up', 'Shift');
    expect(svc.keystrokes.seesNoModifierHeld()).toBe(true);
    expect(svc.keystrokes.userHoldsShortcutKeys()).toBe(false);
    // A hook that reported nothing while we typed does not see synthesized keys (a stuck one of ours).
    await svc.keystrokes.begin('a').end();
    expect(svc.keystrokes.seesNoModifierHeld()).toBe(false);
    const fallback = service(false, new FakeShortcut());
    await fallback.svc.apply('F9');
    expect(fallback.svc.keystrokes.seesNoModifierHeld()).toBe(false);
  });

  it('audits typed keys from the hook, leaving out the hotkey\'s own key; nothing to audit without a hook', async () => {
    const { svc, hook } = service(true, new FakeShortcut());
    await svc.apply('Ctrl+Shift+F9');
    const recording = svc.keystrokes.begin('ab');
    hook.key('down', 'A');
    hook.modifier('down', 'Ctrl');
    hook.key('down', 'F9', 'ctrl', 'shift');
    hook.key('down', 'B', 'ctrl', 'shift');
    expect(await recording.end()).toEqual([false, true]);
    // Re-bound to the default chord: a plain space is ours again.
    await svc.apply('CommandOrControl+Shift+Space');
    const next = svc.keystrokes.begin(' ');
    hook.key('down', 'Space');
    expect(await next.end()).toEqual([false]);
    const fallback = service(false, new FakeShortcut());
    await fallback.svc.apply('F9');
    expect(await fallback.svc.keystrokes.begin('a').end()).toBeNull();
  });

  it('says while the user holds the hotkey\'s key, and lets typing press that key only when nothing is held', async () => {
    const { svc, hook, log } = service(true, new FakeShortcut());
    await svc.apply('Ctrl+Shift+Space');
    expect(svc.keystrokes.mayPressHotkeyKey()).toBe(true);
    hook.modifier('down', 'Ctrl');
    expect(svc.keystrokes.mayPressHotkeyKey()).toBe(false);
    hook.key('down', 'Space', 'ctrl', 'shift');
    expect(svc.hotkeyHeld()).toBe(true);
    hook.modifier('up', 'Ctrl');
    expect(svc.keystrokes.mayPressHotkeyKey()).toBe(false);
    hook.key('up', 'Space');
    expect(svc.hotkeyHeld()).toBe(false);
    expect(svc.keystrokes.mayPressHotkeyKey()).toBe(true);
    expect(log).toEqual(['down', 'up']);
  });

  it('degrades to a globalShortcut toggle when the hook cannot run, and says so', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log, hook } = service(false, shortcut);
    const status = await svc.apply('Ctrl+Alt+Space');
    expect(status.backend).toBe('shortcut');
    expect(status.holdToTalk).toBe(false);
    expect(status.message).toMatch(/Hold-to-talk is unavailable \(there is no X display.*toggles/);
    expect(hook.starts).toBe(0);
    shortcut.registered.get('Control+Alt+Space')!();
    expect(log).toEqual(['toggle']);
  });

  it('reports a shortcut taken by another application', async () => {
    const shortcut = new FakeShortcut();
    shortcut.taken.add('Control+Alt+Space');
    const { svc } = service(false, shortcut);
    const status = await svc.apply('Ctrl+Alt+Space');
    expect(status.backend).toBe('none');
    expect(status.conflicts).toContain('Ctrl+Alt+Space is already taken by another application.');
  });

  it('re-binding moves the hotkey and releases a held press', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log, hook } = service(true, shortcut);
    await svc.apply('F9');
    hook.key('down', 'F9');
    await svc.apply('F10');
    expect(log).toEqual(['down', 'up']);
    expect([...shortcut.registered.keys()]).toEqual(['F10']);
    hook.key('down', 'F9');
    hook.key('down', 'F10');
    expect(log).toEqual(['down', 'up', 'down']);
    expect(hook.starts).toBe(1);
  });

  it('a right-hand modifier alone works through the hook, ungrabbed; without the hook it says why and binds nothing', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log, hook } = service(true, shortcut);
    expect(await svc.apply('RightCtrl')).toMatchObject({ backend: 'hook', holdToTalk: true, error: null, conflicts: [] });
    expect(shortcut.registered.size).toBe(0);
    hook.modifier('down', 'CtrlRight');
    hook.modifier('up', 'CtrlRight'); // a tap
    expect(log).toEqual(['down', 'up']);
    const none = service(false, new FakeShortcut());
    expect(await none.svc.apply('RightCtrl')).toMatchObject({
      backend: 'none', holdToTalk: false,
      message: 'Right Ctrl alone works only with the key hook (there is no X display (DISPLAY is not set)); choose a key with modifiers, e.g. Ctrl+Shift+Space.',
    });
  });

  it('Escape cancels only while armed (a dictation runs), grabbed for that time only', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log, hook } = service(true, shortcut);
    await svc.apply('F9');
    hook.key('down', 'Escape');
    expect(log).toEqual([]); // no dictation: the key is the focused app's
    expect(svc.cancelWorks).toBe(false);
    svc.setCancelArmed(true);
    expect([...shortcut.registered.keys()]).toEqual(['F9', 'Escape']);
    expect(svc.cancelWorks).toBe(true);
    hook.key('down', 'Escape', 'shift'); // a chord with Escape is something else
    hook.key('up', 'Escape');
    hook.key('down', 'Escape');
    expect(log).toEqual(['cancel']);
    shortcut.registered.get('Escape')!(); // the grab's own callback: the hook already heard it
    expect(log).toEqual(['cancel']);
    svc.setCancelArmed(false);
    expect([...shortcut.registered.keys()]).toEqual(['F9']);
    hook.key('down', 'Escape');
    expect(log).toEqual(['cancel']);
    svc.setCancelArmed(true);
    svc.stop(); // quitting drops the grab
    expect(shortcut.registered.size).toBe(0);
  });

  it('without the hook, the Escape grab itself cancels; where Escape is the hotkey, it only toggles', async () => {
    const shortcut = new FakeShortcut();
    const { svc, log } = service(false, shortcut);
    await svc.apply('F9');
    svc.setCancelArmed(true);
    shortcut.registered.get('Escape')!();
    expect(log).toEqual(['cancel']);
    svc.setCancelArmed(false);
    await svc.apply('Escape');
    svc.setCancelArmed(true);
    expect(svc.cancelWorks).toBe(false);
    expect([...shortcut.registered.keys()]).toEqual(['Escape']);
    shortcut.registered.get('Escape')!();
    expect(log).toEqual(['cancel', 'toggle']);
    const taken = new FakeShortcut();
    taken.taken.add('Escape');
    const noGrab = service(false, taken);
    await noGrab.svc.apply('F9');
    noGrab.svc.setCancelArmed(true);
    expect(noGrab.svc.cancelWorks).toBe(false); // nothing would hear the key
  });

  it('tries the hook again on the next apply after a failure (a permission granted meanwhile)', async () => {
    let ok = false;
    const hook = new FakeHook();
    const svc = new HotkeyService({
      handlers: { down: () => undefined, up: () => undefined, toggle: () => undefined, cancel: () => undefined },
      globalShortcut: new FakeShortcut(),
      probe: async () => (ok ? { ok: true, reason: null } : { ok: false, reason: 'no permission' }),
      loadHook: async () => hook,
      platform: 'darwin',
    });
    expect((await svc.apply('F9')).backend).toBe('shortcut');
    ok = true;
    expect((await svc.apply('F9')).backend).toBe('hook');
    expect(hook.starts).toBe(1);
  });

  it('an invalid accelerator binds nothing and says why', async () => {
    const { svc } = service(true, new FakeShortcut());
    expect(await svc.apply('Ctrl+Shift')).toMatchObject({ backend: 'none', error: expect.stringMatching(/only modifiers/) });
  });

  it('a hook that throws on start is a degraded mode, not a crash', async () => {
    const hook = new FakeHook();
    hook.start = () => { throw new Error('Accessibility permission missing'); };
    const { svc } = service(true, new FakeShortcut(), hook);
    const status = await svc.apply('F9');
    expect(status.backend).toBe('shortcut');
    expect(status.message).toMatch(/Accessibility permission missing/);
  });
});

describe('probing the hook', () => {
  it('does not even try without a display or on Wayland', () => {
    expect(hookPreconditions('linux', {})).toMatch(/no X display/);
    expect(hookPreconditions('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' })).toMatch(/Wayland/);
    expect(hookPreconditions('linux', { DISPLAY: ':0' })).toBeNull();
  });

  it('starts no child on macOS and Windows, where the app binary cannot run as Node', async () => {
    // A child would be a second app instance there; a bogus execPath proves none is spawned.
    expect(await probeHook({ platform: 'darwin', env: {}, execPath: '/nonexistent/app', modulePath: '/x' })).toEqual({ ok: true, reason: null });
    expect(await probeHook({ platform: 'win32', env: {}, execPath: '/nonexistent/app', modulePath: '/x' })).toEqual({ ok: true, reason: null });
    expect(await probeHook({ platform: 'linux', env: { DISPLAY: ':0' }, execPath: '/nonexistent/app', modulePath: '/x' }))
      .toMatchObject({ ok: false, reason: expect.stringMatching(/could not run/) });
  });

  it('a hook that aborts in the probe child leaves this process running', async () => {
    // No X server listens on this display: uiohook's start() aborts its process (SIGABRT).
    const result = await probeHook({ platform: 'linux', env: { ...process.env, DISPLAY: ':987', WAYLAND_DISPLAY: '' } });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/could not start/);
  });
});

describe('the paste-last hotkey', () => {
  it('is a globalShortcut press beside the dictation hotkey; re-binding or clearing releases the old chord', async () => {
    const shortcut = new FakeShortcut();
    const { svc } = service(true, shortcut);
    await svc.apply('Ctrl+Shift+Space');
    expect(svc.applyPasteLast('Ctrl+Alt+V', () => undefined)).toEqual({ accelerator: 'Ctrl+Alt+V', works: true, message: null });
    expect([...shortcut.registered.keys()]).toEqual(['Control+Shift+Space', 'Control+Alt+V']);
    svc.applyPasteLast('Alt+Shift+Z', () => undefined);
    expect([...shortcut.registered.keys()]).toEqual(['Control+Shift+Space', 'Alt+Shift+Z']);
    expect(svc.applyPasteLast('', () => undefined)).toBeNull();
    expect([...shortcut.registered.keys()]).toEqual(['Control+Shift+Space']);
    svc.applyPasteLast('Ctrl+Alt+V', () => undefined);
    svc.stop();
    expect(shortcut.registered.size).toBe(0);
  });

  it('pastes once the chord’s key is up (X gives every key to the grab until then), at most 2 s later; blind without a hook', async () => {
    vi.useFakeTimers();
    try {
      const shortcut = new FakeShortcut();
      const { svc, hook } = service(true, shortcut);
      await svc.apply('Ctrl+Shift+Space');
      let pastes = 0;
      svc.applyPasteLast('Ctrl+Alt+V', () => { pastes += 1; });
      const press = shortcut.registered.get('Control+Alt+V')!;
      press(); // globalShortcut may tell before the hook does
      hook.key('down', 'V', 'ctrl', 'alt');
      vi.advanceTimersByTime(500);
      expect(pastes).toBe(0);
      hook.key('up', 'V');
      vi.advanceTimersByTime(20);
      expect(pastes).toBe(1);
      hook.key('down', 'V', 'ctrl', 'alt');
      press();
      vi.advanceTimersByTime(2100); // held on (or its key-up lost): pasted anyway
      expect(pastes).toBe(2);
      hook.key('up', 'V');
      press(); // a press so short both edges came first
      vi.advanceTimersByTime(40);
      expect(pastes).toBe(3);

      const bare = new FakeShortcut();
      const blind = service(false, bare);
      await blind.svc.apply('F9');
      let blindPastes = 0;
      blind.svc.applyPasteLast('Ctrl+Alt+V', () => { blindPastes += 1; });
      bare.registered.get('Control+Alt+V')!();
      vi.advanceTimersByTime(200);
      expect(blindPastes).toBe(0);
      vi.advanceTimersByTime(100);
      expect(blindPastes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses the dictation hotkey’s own chord, a lone modifier, nonsense, a taken chord, and no globalShortcut, saying why', async () => {
    const shortcut = new FakeShortcut();
    const { svc } = service(true, shortcut);
    await svc.apply('Ctrl+Shift+Space');
    expect(svc.applyPasteLast('Shift+Ctrl+Space', () => undefined)).toMatchObject({ works: false, message: expect.stringContaining('is the dictation hotkey') });
    expect(svc.applyPasteLast('RightCtrl', () => undefined)).toMatchObject({ works: false, message: expect.stringContaining('alone cannot paste') });
    expect(svc.applyPasteLast('Ctrl+Nope', () => undefined)).toMatchObject({ works: false });
    shortcut.taken.add('Control+Alt+V');
    expect(svc.applyPasteLast('Ctrl+Alt+V', () => undefined)).toMatchObject({ works: false, message: 'Ctrl+Alt+V is already taken by another application.' });
    expect([...shortcut.registered.keys()]).toEqual(['Control+Shift+Space']);
    const bare = service(false);
    await bare.svc.apply('F9');
    expect(bare.svc.applyPasteLast('Ctrl+Alt+V', () => undefined)).toMatchObject({ works: false, message: 'Global shortcuts are unavailable here.' });
  });

  it('works, with the clash named, for an everyday shortcut; its key is not the user typing (spacing)', async () => {
    const { svc, hook } = service(true, new FakeShortcut());
    await svc.apply('Ctrl+Shift+Space');
    expect(svc.applyPasteLast('Ctrl+V', () => undefined)).toMatchObject({ works: true, message: expect.stringContaining('editing shortcut') });
    svc.applyPasteLast('Ctrl+Alt+P', () => undefined);
    const before = svc.inputActivity.serial();
    hook.key('down', 'P', 'ctrl', 'alt');
    expect(svc.inputActivity.serial()).toBe(before);
    hook.key('down', 'Q');
    expect(svc.inputActivity.serial()).toBe(before! + 1);
  });
});

describe('the desktop portal where no hook runs (Wayland)', () => {
  class FakePortal {
    handlers: { down(): void; up(): void } | null = null;
    calls: string[] = [];
    result: { ok: true; trigger: string | null } | { ok: false; reason: string } = { ok: true, trigger: 'Ctrl+Shift+Space' };
    async bind(binding: { key: string }, handlers: { down(): void; up(): void }) {
      this.calls.push(`bind ${binding.key}`);
      if (this.result.ok) this.handlers = handlers;
      return this.result;
    }
    unbind(): void { this.calls.push('unbind'); this.handlers = null; }
    closed = false;
    isClosed(): boolean { return this.closed; }
    close(): void { this.calls.push('close'); }
  }
  function waylandService(portal: () => Promise<FakePortal>, shortcut = new FakeShortcut(), late: unknown[] = []) {
    const log: string[] = [];
    const svc = new HotkeyService({
      portalAnswerWaitMs: 30,
      onLateStatus: (status) => late.push(status),
      handlers: { down: () => log.push('down'), up: () => log.push('up'), toggle: () => log.push('toggle'), cancel: () => log.push('cancel') },
      globalShortcut: shortcut,
      probe: async () => ({ ok: false, reason: 'Wayland does not let apps see key releases globally' }),
      loadHook: async () => { throw new Error('no hook on Wayland'); },
      portal,
      platform: 'linux',
    });
    return { svc, log, shortcut };
  }

  it('binds through the portal for hold-to-talk: its press and release drive the handlers; no globalShortcut', async () => {
    const portal = new FakePortal();
    let connects = 0;
    const { svc, log, shortcut } = waylandService(async () => { connects += 1; return portal; });
    expect(await svc.apply('CommandOrControl+Shift+Space')).toMatchObject({ backend: 'portal', holdToTalk: true, message: null, error: null });
    expect(shortcut.registered.size).toBe(0);
    portal.handlers!.down();
    portal.handlers!.up();
    expect(log).toEqual(['down', 'up']);
    portal.result = { ok: true, trigger: 'Super+D' }; // the user picked other keys in the desktop's dialog
    expect(await svc.apply('Ctrl+Alt+D')).toMatchObject({ backend: 'portal', message: 'The desktop bound dictation to Super+D.' });
    expect(await svc.apply('RightCtrl')).toMatchObject({ backend: 'none' }); // a lone modifier: neither the portal nor globalShortcut
    expect(portal.calls).toEqual(['bind Space', 'unbind', 'bind D', 'unbind']);
    expect(connects).toBe(1);
    portal.closed = true; // the session bus went away: the next binding connects again
    await svc.apply('Ctrl+Shift+Space');
    expect(connects).toBe(2);
    svc.stop();
    expect(portal.calls.at(-1)).toBe('close');
  });

  it('falls back to globalShortcut (toggle) with both reasons when the portal is missing or the user declines', async () => {
    const missing = waylandService(async () => { throw new Error('no GlobalShortcuts portal'); });
    const status = await missing.svc.apply('Ctrl+Shift+Space');
    expect(status).toMatchObject({ backend: 'shortcut', holdToTalk: false });
    expect(status.message).toContain('Wayland does not let apps see key releases globally');
    expect(status.message).toContain("the desktop portal's global shortcuts are unavailable (no GlobalShortcuts portal)");
    const portal = new FakePortal();
    portal.result = { ok: false, reason: 'the shortcut was not confirmed in the desktop’s dialog' };
    const declined = waylandService(async () => portal);
    expect((await declined.svc.apply('Ctrl+Shift+Space')).message).toContain('the shortcut was not confirmed');
    expect([...declined.shortcut.registered.keys()]).toEqual(['Control+Shift+Space']);
  });

  it('does not wait on the desktop’s dialog: says it waits, then reports the answer; a replaced binding’s late answer is dropped', async () => {
    class SlowPortal extends FakePortal {
      answers: ((r: { ok: true; trigger: string | null } | { ok: false; reason: string }) => void)[] = [];
      override async bind(binding: { key: string }, handlers: { down(): void; up(): void }) {
        this.calls.push(`bind ${binding.key}`);
        const result = await new Promise<{ ok: true; trigger: string | null } | { ok: false; reason: string }>((r) => this.answers.push(r));
        if (result.ok) this.handlers = handlers;
        return result;
      }
    }
    const portal = new SlowPortal();
    const late: { backend: string; holdToTalk: boolean; message: string | null }[] = [];
    const { svc, shortcut } = waylandService(async () => portal, new FakeShortcut(), late);
    expect(await svc.apply('Ctrl+Shift+Space')).toMatchObject({ backend: 'none', message: 'Confirm the shortcut in the desktop’s dialog: until then it does nothing.' });
    portal.answers[0]({ ok: true, trigger: null });
    await expect.poll(() => late).toEqual([expect.objectContaining({ backend: 'portal', holdToTalk: true, message: null })]);

    const second = svc.apply('Ctrl+Alt+D'); // the user dismisses this one's dialog
    await new Promise((r) => setTimeout(r, 40));
    portal.answers[1]({ ok: false, reason: 'the shortcut was not confirmed in the desktop’s dialog' });
    expect((await second).backend).toBe('none');
    await expect.poll(() => late.length).toBe(2);
    expect(late[1]).toMatchObject({ backend: 'shortcut', holdToTalk: false, message: expect.stringContaining('not confirmed') });
    expect([...shortcut.registered.keys()]).toEqual(['Control+Alt+D']);

    await svc.apply('Ctrl+Alt+E');
    await svc.apply('F8'); // replaces E before its dialog was answered
    portal.answers[2]({ ok: true, trigger: null });
    await new Promise((r) => setTimeout(r, 20));
    expect(late).toHaveLength(2);
    expect(portal.calls).toEqual(['bind Space', 'unbind', 'bind D', 'unbind', 'bind E', 'unbind', 'bind F8']);
  });
});
