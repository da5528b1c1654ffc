// A private session bus (dbus-daemon) with a stand-in for the desktop portal's GlobalShortcuts,
// speaking the real protocol (CreateSession / BindShortcuts answered by Response signals on the
// caller's Request path, Activated / Deactivated signals), so PortalShortcuts is tested over D-Bus.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from '@homebridge/dbus-native';

const PATH = '/org/freedesktop/portal/desktop';
const SHORTCUTS = 'org.freedesktop.portal.GlobalShortcuts';
const REQUEST = 'org.freedesktop.portal.Request';

interface Bus {
  name: string | null;
  connection: { end(): void; on(event: 'error', listener: (err: Error) => void): void };
  invoke(msg: Record<string, unknown>, cb: (err: unknown, ...values: unknown[]) => void): void;
  setMethodCallHandler(path: string, iface: string, member: string, handler: [(...args: any[]) => unknown, string | null]): void;
  sendSignal(path: string, iface: string, member: string, signature: string, body: unknown[]): void;
  exportInterface(obj: object, path: string, iface: Record<string, unknown>): void;
}

export class PrivateBus {
  private constructor(readonly address: string, private readonly daemon: ChildProcess, private readonly dir: string) {}

  static async start(): Promise<PrivateBus> {
    const dir = mkdtempSync(path.join(tmpdir(), 'vxd-dbus-'));
    const daemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${path.join(dir, 'bus')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`dbus-daemon did not start: ${out}`)), 5000);
      daemon.on('error', (err) => { clearTimeout(timer); reject(new Error(`dbus-daemon could not run: ${err.message} (apt install dbus)`)); });
      daemon.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('unix:'));
        if (line) { clearTimeout(timer); resolve(line.trim()); }
      });
    });
    return new PrivateBus(address, daemon, dir);
  }

  stop(): void {
    this.daemon.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function variantValue(v: unknown): unknown {
  return Array.isArray(v) && Array.isArray(v[1]) && v[1].length === 1 ? v[1][0] : Array.isArray(v) ? v[1] : undefined;
}
function entry(dict: unknown, key: string): unknown {
  const found = Array.isArray(dict) ? dict.find((e) => Array.isArray(e) && e[0] === key) : undefined;
  return found ? variantValue(found[1]) : undefined;
}

export class FakeShortcutsPortal {
  /** Each BindShortcuts: the session and each shortcut's id and preferred trigger. */
  readonly binds: { session: string; shortcuts: { id: string; trigger: unknown }[] }[] = [];
  readonly closedSessions: string[] = [];
  /** App ids registered through org.freedesktop.host.portal.Registry (only when `registry`). */
  readonly registered: string[] = [];
  /** The user's answer in the portal's dialog: 0 bound, 1 cancelled. */
  answer = 0;
  /** How long the dialog takes to be answered. */
  bindDelayMs = 5;
  /** What the desktop says the keys are (null: no trigger_description). */
  triggerDescription: string | null = 'Ctrl+Shift+Space';
  private sessions: string[] = [];
  private stopped = false;

  private constructor(private readonly bus: Bus) {
    bus.connection.on('error', () => undefined); // a client gone mid-answer
  }

  static async start(address: string, options: { version?: number; registry?: boolean } = {}): Promise<FakeShortcutsPortal> {
    const bus = (dbus as unknown as { sessionBus(o: { busAddress: string }): Bus }).sessionBus({ busAddress: address });
    await new Promise<void>((resolve, reject) => bus.invoke({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'RequestName',
      signature: 'su', body: ['org.freedesktop.portal.Desktop', 4],
    }, (err) => (err ? reject(new Error(String((err as { message?: string }).message ?? err))) : resolve())));
    const portal = new FakeShortcutsPortal(bus);
    portal.serve(options.version ?? 1);
    if (options.registry) {
      bus.exportInterface({ Register: (appId: string) => { portal.registered.push(appId); } }, PATH, {
        name: 'org.freedesktop.host.portal.Registry', methods: { Register: ['sa{sv}', ''] }, properties: {}, signals: {},
      });
    }
    return portal;
  }

  /** The user presses (and then releases) the bound keys. */
  press(id = 'dictate'): void { this.signal('Activated', id); }
  release(id = 'dictate'): void { this.signal('Deactivated', id); }
  /** A signal for another session (another app's shortcut). */
  pressElsewhere(): void { this.bus.sendSignal(PATH, SHORTCUTS, 'Activated', 'osta{sv}', ['/org/freedesktop/portal/desktop/session/x/other', 'dictate', 0, []]); }

  get session(): string | null { return this.sessions.at(-1) ?? null; }

  stop(): void {
    this.stopped = true;
    this.bus.connection.end();
  }

  private signal(member: string, id: string): void {
    this.bus.sendSignal(PATH, SHORTCUTS, member, 'osta{sv}', [this.session, id, 0, []]);
  }

  private serve(version: number): void {
    const sender = (msg: { sender: string }) => msg.sender.replace(/^:/, '').replace(/\./g, '_');
    const respond = (requestPath: string, response: number, results: unknown[], delayMs = 5) =>
      setTimeout(() => { if (!this.stopped) this.bus.sendSignal(requestPath, REQUEST, 'Response', 'ua{sv}', [response, results]); }, delayMs);
    const methods = {
      CreateSession: (options: unknown, msg: { sender: string }) => {
      const requestPath = `${PATH}/request/${sender(msg)}/${entry(options, 'handle_token')}`;
      const sessionPath = `${PATH}/session/${sender(msg)}/${entry(options, 'session_handle_token')}`;
      this.sessions.push(sessionPath);
      this.bus.setMethodCallHandler(sessionPath, 'org.freedesktop.portal.Session', 'Close', [() => { this.closedSessions.push(sessionPath); }, null]);
      respond(requestPath, 0, [['session_handle', ['s', sessionPath]]]);
      return requestPath;
    },
      BindShortcuts: (session: string, shortcuts: unknown[], _parent: string, options: unknown, msg: { sender: string }) => {
      const requestPath = `${PATH}/request/${sender(msg)}/${entry(options, 'handle_token')}`;
      const list = shortcuts.map((s) => ({ id: (s as [string, unknown])[0], trigger: entry((s as [string, unknown])[1], 'preferred_trigger') }));
      this.binds.push({ session, shortcuts: list });
      const described = list.map((s) => [s.id, this.triggerDescription === null ? [] : [['trigger_description', ['s', this.triggerDescription]]]]);
      respond(requestPath, this.answer, this.answer === 0 ? [['shortcuts', ['a(sa{sv})', described]]] : [], this.bindDelayMs);
      return requestPath;
    },
      version,
    };
    // Exported, so the library answers Properties.Get for `version` too.
    this.bus.exportInterface(methods, PATH, {
      name: SHORTCUTS,
      methods: { CreateSession: ['a{sv}', 'o'], BindShortcuts: ['oa(sa{sv})sa{sv}', 'o'] },
      properties: { version: 'u' },
      signals: {},
    });
  }
}
