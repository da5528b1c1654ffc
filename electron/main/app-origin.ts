// Where the app's own pages live. The renderer is served from dist/renderer through the
// privileged `app://voxtral/` scheme (see app-protocol.ts), which gives it a real, stable origin:
// the permission and IPC sender checks compare against it, and nothing else is trusted.

export const APP_SCHEME = 'app';
export const APP_HOST = 'voxtral';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const MAIN_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** True for a URL of one of the app's own pages (and not, say, app://voxtral.evil/). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation is allowed only within the same app page (hash or query changes). */
export function isSamePage(current: string, target: string): boolean {
  try {
    const a = new URL(current);
    const b = new URL(target);
    return isAppUrl(target) && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
