// Hold-to-talk on Wayland. No app may watch the keyboard there, but the desktop portal's
// GlobalShortcuts (org.freedesktop.portal.GlobalShortcuts: KDE Plasma, GNOME 48+, Hyprland) binds
// a shortcut for us and signals both its press (Activated) and its release (Deactivated); Electron's
// globalShortcut, which also goes through the portal there, hands on only presses. The compositor
// shows the user the binding and may change its keys: the trigger it reports is what to press.
//
// One session per binding, on our own connection to the session bus (a session lives as long as
// the connection that made it). Each request is answered by a Response signal on a Request object
// whose path we know in advance (sender + handle_token), so we listen before asking.

import dbus from '@homebridge/dbus-native';
import type { HotkeyBinding, Modifier } from './accelerator';

const PORTAL = 'org.freedesktop.portal.Desktop';
const PORTAL_PATH = '/org/freedesktop/portal/desktop';
const SHORTCUTS = 'org.freedesktop.portal.GlobalShortcuts';
const REQUEST = 'org.freedesktop.portal.Request';
const SESSION = 'org.freedesktop.portal.Session';
const SHORTCUT_ID = 'dictate';
/**
 * Who we are to the portal: an app outside a sandbox tells it (xdg-desktop-portal 1.19+,
 * org.freedesktop.host.portal.Registry) before its first request on the connection; the name is
 * the desktop entry's (build/electron-builder.config.ts LINUX_DESKTOP_FILE), where the desktop
 * keeps the binding. Older portals have no registry and guess.
 */
export const PORTAL_APP_ID = 'voxtral-dictate';
/** The user may be asked to confirm the binding in a dialog. */
const RESPONSE_TIMEOUT_MS = 120_000;

export type PortalBindResult = { ok: true; trigger: string | null } | { ok: false; reason: string };

/** What the HotkeyService needs of the portal (tests give a fake bus, not a fake of this). */
export interface PortalShortcutsLike {
  bind(binding: HotkeyBinding, handlers: { down(): void; up(): void }): Promise<PortalBindResult>;
  /** Drops the binding (its session); the connection stays for the next bind. */
  unbind(): void;
  /** Whether the connection is gone (closed, or the bus went away): a new one is needed. */
  isClosed(): boolean;
  close(): void;
}

// The slice of @homebridge/dbus-native used here (its typings do not declare it).
type Variant = [string, unknown];
interface DbusMessage { type: number; path?: string; interface?: string; member?: string; body?: unknown[] }
interface DbusBus {
  name: string | null;
  connection: {
    on(event: 'message', listener: (msg: DbusMessage) => void): void;
    on(event: 'error', listener: (err: Error) => void): void;
    on(event: 'end', listener: () => void): void;
    end(): void;
  };
  invoke(msg: Record<string, unknown>, callback: (err: { name: string; message: string } | null, ...values: unknown[]) => void): void;
  addMatch(rule: string, callback: (err: unknown) => void): void;
}
const SIGNAL = 4;

const MODIFIER_NAMES: Record<Modifier, string> = { ctrl: 'CTRL', alt: 'ALT', shift: 'SHIFT', meta: 'LOGO' };
const KEYSYMS: Record<string, string> = {
  Space: 'space', Enter: 'Return', Tab: 'Tab', Escape: 'Escape', Backspace: 'BackSpace', Insert: 'Insert', Delete: 'Delete',
  Home: 'Home', End: 'End', PageUp: 'Page_Up', PageDown: 'Page_Down', ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left',
  ArrowRight: 'Right', Semicolon: 'semicolon', Equal: 'equal', Comma: 'comma', Minus: 'minus', Period: 'period', Slash: 'slash',
  Backquote: 'grave', BracketLeft: 'bracketleft', Backslash: 'backslash', BracketRight: 'bracketright', Quote: 'apostrophe',
};

/** The portal's spelling of a binding (the XDG shortcuts format: "CTRL+SHIFT+space"), or null for a lone modifier. */
export function portalTrigger(binding: HotkeyBinding): string | null {
  if (binding.modifierOnly) return null;
  const order: Modifier[] = ['ctrl', 'alt', 'shift', 'meta'];
  const key = KEYSYMS[binding.key] ?? (/^[A-Z]$/.test(binding.key) ? binding.key.toLowerCase() : binding.key);
  return [...order.filter((m) => binding.modifiers.has(m)).map((m) => MODIFIER_NAMES[m]), key].join('+');
}

/** A variant as the library unmarshals it ([signature tree, [value]]) or as we build it. */
function variantValue(v: unknown): unknown {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const value = v[1];
  return Array.isArray(value) && value.length === 1 && typeof v[0] !== 'string' ? value[0] : value;
}

function dictEntry(dict: unknown, key: string): unknown {
  if (!Array.isArray(dict)) return undefined;
  const entry = dict.find((e) => Array.isArray(e) && e[0] === key) as [string, unknown] | undefined;
  return entry ? variantValue(entry[1]) : undefined;
}

export class PortalShortcuts implements PortalShortcutsLike {
  private tokens = 0;
  /** Counts bindings begun or ended: a binding still being made when it changes is stale. */
  private binds = 0;
  private session: string | null = null;
  private handlers: { down(): void; up(): void } | null = null;
  private readonly pending = new Map<string, (response: number, results: unknown) => void>();
  private closed = false;

  /** Rejects when the bus connection fails (no bus there, or it went away). */
  private readonly failure: Promise<never>;

  private constructor(private readonly bus: DbusBus) {
    bus.connection.on('message', (msg) => this.onMessage(msg));
    this.failure = new Promise<never>((_, reject) => {
      bus.connection.on('error', (err) => {
        this.closed = true;
        reject(new Error(`the session bus is unreachable (${err.message})`));
      });
      bus.connection.on('end', () => {
        this.closed = true;
        reject(new Error('the session bus closed the connection'));
      });
    });
    this.failure.catch(() => undefined);
  }

  /** Connects to the session bus (or `busAddress`) and checks that the portal offers GlobalShortcuts. */
  static async connect(busAddress?: string): Promise<PortalShortcuts> {
    const bus = (dbus as unknown as { sessionBus(opts?: { busAddress?: string }): DbusBus }).sessionBus(busAddress ? { busAddress } : undefined);
    const portal = new PortalShortcuts(bus);
    try {
      const version = await portal.call<unknown>({
        destination: PORTAL, path: PORTAL_PATH, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [SHORTCUTS, 'version'],
      });
      if (typeof variantValue(version) !== 'number') throw new Error('no GlobalShortcuts portal');
      await portal.call({
        destination: PORTAL, path: PORTAL_PATH, interface: 'org.freedesktop.host.portal.Registry', member: 'Register', signature: 'sa{sv}', body: [PORTAL_APP_ID, []],
      }).catch(() => undefined);
      await portal.match(`type='signal',interface='${SHORTCUTS}',path='${PORTAL_PATH}'`);
      return portal;
    } catch (err) {
      portal.close();
      throw err;
    }
  }

  async bind(binding: HotkeyBinding, handlers: { down(): void; up(): void }): Promise<PortalBindResult> {
    const trigger = portalTrigger(binding);
    if (!trigger) return { ok: false, reason: 'the desktop portal cannot bind a modifier key alone' };
    this.endSession();
    const mine = this.binds;
    const replaced: PortalBindResult = { ok: false, reason: 'another binding replaced it' };
    try {
      const created = await this.request({ member: 'CreateSession', signature: 'a{sv}', body: (token: string) => [[['handle_token', ['s', token]], ['session_handle_token', ['s', `${token}s`]]]] });
      if (created.response !== 0) return { ok: false, reason: 'the desktop portal refused a shortcut session' };
      const session = dictEntry(created.results, 'session_handle');
      if (typeof session !== 'string') return { ok: false, reason: 'the desktop portal gave no shortcut session' };
      if (mine !== this.binds) {
        this.closeSession(session);
        return replaced;
      }
      this.session = session;
      const shortcut = [SHORTCUT_ID, [['description', ['s', 'Dictate (hold to talk)']], ['preferred_trigger', ['s', trigger]]]];
      const bound = await this.request({
        member: 'BindShortcuts', signature: 'oa(sa{sv})sa{sv}', body: (token: string) => [session, [shortcut], '', [['handle_token', ['s', token]]]],
      });
      if (mine !== this.binds) return replaced; // its session was closed meanwhile
      if (bound.response !== 0) return { ok: false, reason: 'the shortcut was not confirmed in the desktop’s dialog' };
      const shortcuts = dictEntry(bound.results, 'shortcuts');
      const ours = Array.isArray(shortcuts) ? shortcuts.find((s) => Array.isArray(s) && s[0] === SHORTCUT_ID) as [string, unknown] | undefined : undefined;
      if (!ours) return { ok: false, reason: 'the desktop bound no key to the shortcut' };
      this.handlers = handlers;
      const described = dictEntry(ours[1], 'trigger_description');
      return { ok: true, trigger: typeof described === 'string' && described !== '' ? described : null };
    } catch (err) {
      return { ok: false, reason: `the desktop portal failed (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  unbind(): void {
    this.endSession();
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Ends the connection, and with it the portal's session (the portal closes it then). */
  close(): void {
    if (this.closed) return;
    this.handlers = null;
    this.session = null;
    this.closed = true;
    try {
      this.bus.connection.end();
    } catch {
      // already gone
    }
  }

  /** Ends the current binding, and any still being made (it notices and closes its own session). */
  private endSession(): void {
    this.binds += 1;
    this.handlers = null;
    const session = this.session;
    this.session = null;
    if (session) this.closeSession(session);
  }

  private closeSession(session: string): void {
    if (this.closed) return;
    this.bus.invoke({ destination: PORTAL, path: session, interface: SESSION, member: 'Close' }, () => undefined);
  }

  private onMessage(msg: DbusMessage): void {
    if (msg.type !== SIGNAL) return;
    const body = msg.body ?? [];
    if (msg.interface === REQUEST && msg.member === 'Response' && msg.path) {
      const resolve = this.pending.get(msg.path);
      if (resolve) {
        this.pending.delete(msg.path);
        resolve(Number(body[0]), body[1]);
      }
      return;
    }
    if (msg.interface !== SHORTCUTS || body[0] !== this.session || body[1] !== SHORTCUT_ID || !this.handlers) return;
    if (msg.member === 'Activated') this.handlers.down();
    else if (msg.member === 'Deactivated') this.handlers.up();
  }

  /** One portal request: listens on its Request path, calls, and waits for the Response. */
  private async request(spec: { member: string; signature: string; body: (token: string) => unknown[] }): Promise<{ response: number; results: unknown }> {
    const token = `vxd${process.pid}_${++this.tokens}`;
    await this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetId' });
    const sender = (this.bus.name ?? '').replace(/^:/, '').replace(/\./g, '_');
    const path = `${PORTAL_PATH}/request/${sender}/${token}`;
    await this.match(`type='signal',interface='${REQUEST}',member='Response',path='${path}'`);
    const answered = new Promise<{ response: number; results: unknown }>((resolve, reject) => {
      this.failure.catch(reject); // the bus went away: no Response will come
      const timer = setTimeout(() => { this.pending.delete(path); reject(new Error('no answer')); }, RESPONSE_TIMEOUT_MS);
      timer.unref?.();
      this.pending.set(path, (response, results) => { clearTimeout(timer); resolve({ response, results }); });
    });
    const handle = await this.call<string>({ destination: PORTAL, path: PORTAL_PATH, interface: SHORTCUTS, member: spec.member, signature: spec.signature, body: spec.body(token) });
    if (handle !== path && typeof handle === 'string') {
      // An old portal chose its own path: move the wait there.
      const resolve = this.pending.get(path);
      this.pending.delete(path);
      if (resolve) this.pending.set(handle, resolve);
      await this.match(`type='signal',interface='${REQUEST}',member='Response',path='${handle}'`);
    }
    return answered;
  }

  /** One method call; fails with the connection too (a bus gone away answers nothing). */
  private call<T>(msg: Record<string, unknown>): Promise<T> {
    const answer = new Promise<T>((resolve, reject) => {
      this.bus.invoke(msg, (err, value) => (err ? reject(new Error(err.message || err.name)) : resolve(value as T)));
    });
    return Promise.race([answer, this.failure]);
  }

  private match(rule: string): Promise<void> {
    const added = new Promise<void>((resolve, reject) => this.bus.addMatch(rule, (err) => (err ? reject(new Error(String(err))) : resolve())));
    return Promise.race([added, this.failure]);
  }
}
