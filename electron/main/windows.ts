// The app's windows: options with every Electron security switch set explicitly, and guards that
// keep each window on the app's own page.

import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebContents, type WebPreferences } from 'electron';
import type { ViewName } from '../common/ipc-contract';
import { isSamePage, MAIN_PAGE_URL } from './app-origin';

/** The security switches every app window uses (the overlay too), all set explicitly. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 960,
    height: 720,
    minWidth: 560,
    minHeight: 480,
    title: 'Voxtral Dictate',
    show: false, // shown on ready-to-show, so the window never flashes blank
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** The main window, opened on `view` (the page reads it from the hash). */
export function createMainWindow(preloadPath: string, view: ViewName = 'dictate'): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(view === 'dictate' ? MAIN_PAGE_URL : `${MAIN_PAGE_URL}#${view}`);
  return window;
}

/** Blocks new windows, webviews and navigation away from the page; http(s) links open in the browser. */
export function guardWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const blockUnlessSamePage = (event: { preventDefault(): void }, url: string) => {
    if (!isSamePage(contents.getURL(), url)) event.preventDefault();
  };
  contents.on('will-navigate', blockUnlessSamePage);
  contents.on('will-redirect', blockUnlessSamePage);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
