// Electron entry point: app lifecycle and wiring only. Everything with logic lives in
// electron/core (AppCore) and is shared with the browser harness.

import { app, BrowserWindow, dialog, ipcMain, Notification, session } from 'electron';
import path from 'node:path';
import { EVENT_CHANNELS, type ViewName } from '../common/ipc-contract';
import { AppCore } from '../core/app/app-core';
import { notifyFileJobs } from '../core/app/file-job-notifier';
import { NativeModelService } from '../core/app/native-model-service';
import { RELEASES_FEED } from '../core/app/update-checker';
import { createNativeDictation } from '../core/dictation';
import { bundledPackRunner } from '../core/models/checkpoint-converter';
import { linuxSession } from '../core/insertion';
import { registerAppSchemeAsPrivileged, serveAppProtocol } from './app-protocol';
import { Desktop } from './desktop';
import { electronFileChooser } from './file-chooser';
import { forwardEvents, registerIpc } from './ipc';
import { applyStartAtLogin } from './login-item';
import { installSessionSecurity } from './session-security';
import { createMainWindow, guardWebContents } from './windows';

// The app root holds package.json and dist/ (main/, preload/, renderer/), also inside app.asar.
const distDir = path.join(app.getAppPath(), 'dist');
const preloadPath = path.join(distDir, 'preload', 'preload.cjs');
const rendererDir = path.join(distDir, 'renderer');

registerAppSchemeAsPrivileged();
app.enableSandbox();
// On Wayland, global shortcuts exist only through the desktop portal.
if (process.platform === 'linux' && linuxSession(process.env) === 'wayland') {
  app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal');
}
// One settings folder however the app was packaged or named (~/.config/voxtral-dictate on Linux).
app.setPath('userData', path.join(app.getPath('appData'), 'voxtral-dictate'));

let mainWindow: BrowserWindow | null = null;
let core: AppCore | null = null;
let desktop: Desktop | null = null;

function showMainWindow(view: ViewName = 'dictate'): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow(preloadPath, view);
    mainWindow.on('closed', () => { mainWindow = null; });
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  if (view !== 'dictate') mainWindow.webContents.send(EVENT_CHANNELS.navigate, { view });
}

async function start(): Promise<void> {
  // Guards go on before anything can load a page.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
  installSessionSecurity(session.defaultSession);
  serveAppProtocol(rendererDir, (id) => core?.recordingFile(id) ?? null);

  core = await AppCore.create({
    configDir: app.getPath('userData'), files: electronFileChooser, models: new NativeModelService(),
    createDictation: (deps) => createNativeDictation(deps), packRunner: bundledPackRunner(),
    // An installed app asks for newer releases; a checkout running `npm start` is updated by git.
    updates: app.isPackaged ? { feedUrl: RELEASES_FEED, currentVersion: app.getVersion() } : undefined,
  });
  registerIpc(ipcMain, core);
  forwardEvents(core, () => BrowserWindow.getAllWindows());
  notifyFileJobs({
    onEvent: (listener) => core!.onEvent(listener),
    focused: () => BrowserWindow.getFocusedWindow() !== null,
    notify: (title, body, onClick) => {
      if (!Notification.isSupported()) return;
      const shown = new Notification({ title, body });
      shown.on('click', onClick);
      shown.show();
    },
    openHistory: () => showMainWindow('history'),
  });
  followStartAtLogin(core);
  showMainWindow();
  // Hotkey, tray and overlay: optional extras; the window works without them.
  desktop = await Desktop.start({ core, preloadPath, showWindow: showMainWindow, quit: () => app.quit() })
    .catch((err: unknown) => { console.error('desktop integration failed:', err); return null; });
}

/** Keeps the OS login item in step with the setting (also after the app moved). */
function followStartAtLogin(appCore: AppCore): void {
  let applied: boolean | null = null;
  const apply = (enabled: boolean) => {
    if (enabled === applied) return;
    applied = enabled;
    applyStartAtLogin(enabled).catch((err: unknown) => console.error('start at login:', err));
  };
  if (appCore.settings.get().startAtLogin) apply(true);
  else applied = false; // nothing to undo on a fresh start
  appCore.settings.onChange((settings) => apply(settings.startAtLogin));
}

let closing = false;
async function closeCoreAndQuit(): Promise<void> {
  closing = true;
  try {
    desktop?.dispose();
    await core?.close();
  } finally {
    app.quit();
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showMainWindow());
  app.on('activate', () => showMainWindow());
  app.on('window-all-closed', () => {
    // With a tray icon the app keeps running (the hotkey still works); without one, closing quits.
    if (process.platform !== 'darwin' && !desktop?.tray) app.quit();
  });
  app.on('before-quit', (event) => {
    // Flush history and release the engine before the process goes.
    if (closing || !core) return;
    event.preventDefault();
    void closeCoreAndQuit();
  });
  app.whenReady().then(start).catch((err: unknown) => {
    // Say why in a dialog: a silent exit leaves the user guessing.
    const message = (err as Error)?.message ?? String(err);
    console.error('Voxtral Dictate failed to start:', err);
    dialog.showErrorBox('Voxtral Dictate could not start', `${message}\n\nSettings folder: ${app.getPath('userData')}`);
    app.exit(1);
  });
}
