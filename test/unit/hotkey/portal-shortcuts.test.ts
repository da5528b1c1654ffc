import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccelerator, type HotkeyBinding } from '../../../electron/core/hotkey/accelerator';
import { LINUX_DESKTOP_FILE } from '../../../build/electron-builder.config';
import { PORTAL_APP_ID, PortalShortcuts, portalTrigger } from '../../../electron/core/hotkey/portal-shortcuts';
import { FakeShortcutsPortal, PrivateBus } from './fake-portal';

const binding = (accelerator: string): HotkeyBinding => {
  const parsed = parseAccelerator(accelerator, 'linux');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.binding;
};

let bus: PrivateBus;
beforeAll(async () => { bus = await PrivateBus.start(); });
afterAll(() => bus?.stop());

describe('the desktop portal’s global shortcuts (Wayland hold-to-talk), over a real D-Bus', () => {
  it('spells bindings as the XDG shortcuts format; a lone modifier has no spelling', () => {
    expect(portalTrigger(binding('CommandOrControl+Shift+Space'))).toBe('CTRL+SHIFT+space');
    expect(portalTrigger(binding('Super+Alt+D'))).toBe('ALT+LOGO+d');
    expect(portalTrigger(binding('F9'))).toBe('F9');
    expect(portalTrigger(binding('Ctrl+;'))).toBe('CTRL+semicolon');
    expect(portalTrigger(binding('RightCtrl'))).toBeNull();
  });

  it('binds through a session, hears press and release of its own shortcut only, and re-binds in a fresh session', async () => {
    const portal = await FakeShortcutsPortal.start(bus.address);
    const client = await PortalShortcuts.connect(bus.address);
    try {
      const log: string[] = [];
      const result = await client.bind(binding('Ctrl+Shift+Space'), { down: () => log.push('down'), up: () => log.push('up') });
      expect(result).toEqual({ ok: true, trigger: 'Ctrl+Shift+Space' });
      expect(portal.binds).toEqual([{ session: portal.session, shortcuts: [{ id: 'dictate', trigger: 'CTRL+SHIFT+space' }] }]);
      portal.press();
      portal.pressElsewhere();
      portal.press('another-id');
      portal.release();
      await expect.poll(() => log).toEqual(['down', 'up']);

      const first = portal.session;
      portal.triggerDescription = null;
      expect(await client.bind(binding('Alt+F9'), { down: () => log.push('down2'), up: () => log.push('up2') })).toEqual({ ok: true, trigger: null });
      await expect.poll(() => portal.closedSessions).toEqual([first]);
      expect(portal.binds.at(-1)!.shortcuts).toEqual([{ id: 'dictate', trigger: 'ALT+F9' }]);
      portal.press();
      portal.release();
      await expect.poll(() => log).toEqual(['down', 'up', 'down2', 'up2']);
      const second = portal.session;
      client.unbind();
      await expect.poll(() => portal.closedSessions).toEqual([first, second]);
      portal.press();
      await new Promise((r) => setTimeout(r, 50));
      expect(log).toHaveLength(4);
    } finally {
      client.close();
      portal.stop();
    }
  });

  it('says who it is where the portal keeps a registry of host apps (the desktop entry’s name), and works without one', async () => {
    const portal = await FakeShortcutsPortal.start(bus.address, { registry: true });
    const client = await PortalShortcuts.connect(bus.address);
    try {
      expect(portal.registered).toEqual([PORTAL_APP_ID]);
      expect(PORTAL_APP_ID).toBe(LINUX_DESKTOP_FILE.replace(/\.desktop$/, ''));
      expect(await client.bind(binding('Ctrl+Shift+Space'), { down: () => undefined, up: () => undefined })).toMatchObject({ ok: true });
    } finally {
      client.close();
      portal.stop();
    }
  });

  it('says why when the user declines in the dialog, or the binding cannot be expressed', async () => {
    const portal = await FakeShortcutsPortal.start(bus.address);
    const client = await PortalShortcuts.connect(bus.address);
    try {
      portal.answer = 1;
      expect(await client.bind(binding('Ctrl+Shift+Space'), { down: () => undefined, up: () => undefined }))
        .toEqual({ ok: false, reason: 'the shortcut was not confirmed in the desktop’s dialog' });
      expect(await client.bind(binding('RightCtrl'), { down: () => undefined, up: () => undefined }))
        .toEqual({ ok: false, reason: 'the desktop portal cannot bind a modifier key alone' });
    } finally {
      client.close();
      portal.stop();
    }
  });

  it('a binding replaced while its dialog is open binds nothing: its session is closed and its answer dropped', async () => {
    const portal = await FakeShortcutsPortal.start(bus.address);
    const client = await PortalShortcuts.connect(bus.address);
    try {
      const log: string[] = [];
      portal.bindDelayMs = 150;
      const first = client.bind(binding('Ctrl+Alt+A'), { down: () => log.push('a'), up: () => undefined });
      await expect.poll(() => portal.binds.length).toBe(1);
      const firstSession = portal.session;
      portal.bindDelayMs = 5;
      const second = client.bind(binding('Ctrl+Alt+B'), { down: () => log.push('b'), up: () => undefined });
      expect(await second).toEqual({ ok: true, trigger: 'Ctrl+Shift+Space' });
      expect(await first).toEqual({ ok: false, reason: 'another binding replaced it' });
      expect(portal.closedSessions).toContain(firstSession);
      portal.press();
      await expect.poll(() => log).toEqual(['b']);
    } finally {
      client.close();
      portal.stop();
    }
  });

  it('a session bus that goes away fails the next binding with a reason instead of hanging', async () => {
    const own = await PrivateBus.start();
    const portal = await FakeShortcutsPortal.start(own.address);
    const client = await PortalShortcuts.connect(own.address);
    try {
      expect(await client.bind(binding('Ctrl+Shift+Space'), { down: () => undefined, up: () => undefined })).toMatchObject({ ok: true });
      own.stop();
      const result = await client.bind(binding('Ctrl+Alt+D'), { down: () => undefined, up: () => undefined });
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^the desktop portal failed \(the session bus (closed the connection|is unreachable)/) });
    } finally {
      client.close();
      portal.stop();
    }
  });

  it('connecting fails clearly where no portal offers global shortcuts', async () => {
    await expect(PortalShortcuts.connect(bus.address)).rejects.toThrow();
    await expect(PortalShortcuts.connect('unix:path=/nonexistent/bus')).rejects.toThrow();
  });
});
