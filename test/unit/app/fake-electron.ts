// A recording stand-in for the `electron` module: it stores what the code under test asked for
// (window options, handlers, listeners) so tests can inspect it and call the handlers directly.

type Listener = (...args: any[]) => unknown;

class Emitter {
  listeners = new Map<string, Listener[]>();
  on(name: string, fn: Listener) { this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]); return this; }
  once(name: string, fn: Listener) { return this.on(name, fn); }
  removeListener(name: string, fn: Listener) { this.listeners.set(name, (this.listeners.get(name) ?? []).filter((f) => f !== fn)); return this; }
  emit(name: string, ...args: unknown[]) { for (const fn of this.listeners.get(name) ?? []) fn(...args); }
}

export class FakeWebContents extends Emitter {
  url = '';
  windowOpenHandler: Listener | null = null;
  sent: { channel: string; payload: unknown }[] = [];
  posted: { channel: string; ports: unknown[] }[] = [];
  setWindowOpenHandler(fn: Listener) { this.windowOpenHandler = fn; }
  getURL() { return this.url; }
  isDestroyed() { return false; }
  send(channel: string, payload: unknown) { this.sent.push({ channel, payload }); }
  postMessage(channel: string, _message: unknown, ports: unknown[] = []) { this.posted.push({ channel, ports }); }
}

export class FakeBrowserWindow extends Emitter {
  static created: FakeBrowserWindow[] = [];
  static getAllWindows() { return FakeBrowserWindow.created; }
  static getFocusedWindow() { return FakeBrowserWindow.created[0] ?? null; }
  webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: any) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  visible = false;
  destroyed = false;
  loadURL(url: string) { this.loadedUrl = url; this.webContents.url = url; return Promise.resolve(); }
  isDestroyed() { return this.destroyed; }
  showInactive() { this.visible = true; }
  hide() { this.visible = false; }
  destroy() { this.destroyed = true; }
  setBounds() {}
  setAlwaysOnTop() {}
  setVisibleOnAllWorkspaces() {}
  setIgnoreMouseEvents() {}
  isMinimized() { return false; }
  show() { this.visible = true; }
  focus() {}
  restore() {}
}

export class FakeTray extends Emitter {
  static created: FakeTray[] = [];
  tooltip = '';
  menu: any[] = [];
  images = 0;
  destroyed = false;
  constructor(_image: unknown) { super(); FakeTray.created.push(this); }
  setImage() { this.images++; }
  setToolTip(text: string) { this.tooltip = text; }
  setContextMenu(menu: any[]) { this.menu = menu; }
  destroy() { this.destroyed = true; }
}

export class FakePort extends Emitter {
  started = false;
  start() { this.started = true; }
}

export class FakeMessageChannelMain {
  static last: FakeMessageChannelMain | null = null;
  port1 = new FakePort();
  port2 = new FakePort();
  constructor() { FakeMessageChannelMain.last = this; }
}

/** Electron's system notifications: what was shown, and its click to fire. */
export class FakeNotification {
  static shown: FakeNotification[] = [];
  static isSupported() { return true; }
  private click: (() => void) | null = null;
  constructor(readonly options: { title: string; body: string }) {}
  on(event: string, fn: () => void) { if (event === 'click') this.click = fn; }
  show() { FakeNotification.shown.push(this); }
  clickIt() { this.click?.(); }
}

export function createFakeElectron(userData: () => string) {
  const ipcHandlers = new Map<string, Listener>();
  const ipcListeners = new Emitter();
  const sessionState = {
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    headersReceived: null as Listener | null,
  };
  const protocolState = { privileged: [] as unknown[], handlers: new Map<string, Listener>() };
  const appEvents = new Emitter();
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => { resolveReady = r; });
  const exposed: Record<string, unknown> = {};
  const rendererIpc = new Emitter();
  const invoked: { channel: string; request: unknown }[] = [];
  const sentFromRenderer: string[] = [];

  const module = {
    app: Object.assign(appEvents, {
      sandboxEnabled: false,
      whenReady: () => ready,
      paths: new Map<string, string>(),
      getPath: (name: string) => {
        const set = module.app.paths.get(name);
        if (set) return set;
        if (name === 'userData' || name === 'appData') return userData();
        throw new Error(`unexpected getPath(${name})`);
      },
      setPath: (name: string, value: string) => { module.app.paths.set(name, value); },
      getAppPath: () => '/fake/app-root',
      commandLine: { switches: [] as [string, string?][], appendSwitch(name: string, value?: string) { module.app.commandLine.switches.push([name, value]); } },
      isPackaged: false,
      loginItems: [] as unknown[],
      setLoginItemSettings(settings: unknown) { module.app.loginItems.push(settings); },
      requestSingleInstanceLock: () => true,
      enableSandbox() { module.app.sandboxEnabled = true; },
      quit: () => undefined,
      exit: () => undefined,
    }),
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: unknown[]) => template },
    nativeImage: { createFromBitmap: () => ({ addRepresentation() {}, setTemplateImage() {} }), createFromBuffer: () => ({}) },
    screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }) },
    globalShortcut: {
      registered: new Map<string, () => void>(),
      register(accelerator: string, callback: () => void) { module.globalShortcut.registered.set(accelerator, callback); return true; },
      unregister(accelerator: string) { module.globalShortcut.registered.delete(accelerator); },
      isRegistered(accelerator: string) { return module.globalShortcut.registered.has(accelerator); },
    },
    clipboard: {},
    systemPreferences: { isTrustedAccessibilityClient: () => true },
    MessageChannelMain: FakeMessageChannelMain,
    ipcMain: {
      handle: (channel: string, fn: Listener) => { ipcHandlers.set(channel, fn); },
      removeHandler: (channel: string) => { ipcHandlers.delete(channel); },
      on: (channel: string, fn: Listener) => ipcListeners.on(channel, fn),
      removeListener: (channel: string, fn: Listener) => ipcListeners.removeListener(channel, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => { sessionState.permissionRequest = fn; },
        setPermissionCheckHandler: (fn: Listener) => { sessionState.permissionCheck = fn; },
        webRequest: { onHeadersReceived: (fn: Listener) => { sessionState.headersReceived = fn; } },
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => { protocolState.privileged.push(...schemes); },
      handle: (scheme: string, fn: Listener) => { protocolState.handlers.set(scheme, fn); },
    },
    dialog: {
      answers: [] as { canceled: boolean; filePaths: string[] }[],
      shown: [] as unknown[],
      showOpenDialog(...args: unknown[]) {
        module.dialog.shown.push(args.at(-1));
        return Promise.resolve(module.dialog.answers.shift() ?? { canceled: true, filePaths: [] });
      },
    },
    shell: { opened: [] as string[], openExternal(url: string) { module.shell.opened.push(url); return Promise.resolve(); } },
    Notification: FakeNotification,
    // Electron gives a File's path on disk only for one from a real drop or file input; here a test
    // marks such a File with a `diskPath` property, and any other File has none ('').
    webUtils: { getPathForFile: (file: unknown) => String((file as { diskPath?: string })?.diskPath ?? '') },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } },
    ipcRenderer: Object.assign(rendererIpc, {
      invoke: (channel: string, request: unknown) => { invoked.push({ channel, request }); return Promise.resolve({ ok: true, value: channel }); },
      send: (channel: string) => { sentFromRenderer.push(channel); },
    }),
  };
  return {
    module, ipcHandlers, ipcListeners, sessionState, protocolState, exposed, invoked, sentFromRenderer, rendererIpc,
    ready: () => resolveReady(),
  };
}
