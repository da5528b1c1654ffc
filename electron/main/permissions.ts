// Which permission requests the app grants to its own pages: the microphone, audio only, and
// writing text to the clipboard (History's Copy, through navigator.clipboard). The renderer never
// needs the camera, location, notifications, reading the clipboard or anything else, so all of
// those are refused, and so is any request from a page that is not the app's.

import { isAppUrl } from './app-origin';

export interface PermissionQuery {
  permission: string;
  /** The URL (or origin) of the frame asking. */
  requestingUrl: string | undefined;
  /** For 'media': the kinds requested ('audio', 'video'); 'unknown' when Chromium does not say. */
  mediaTypes: readonly string[];
}

export function isPermissionAllowed(query: PermissionQuery): boolean {
  if (!isAppUrl(query.requestingUrl)) return false;
  if (query.permission === 'clipboard-sanitized-write') return true;
  if (query.permission !== 'media') return false;
  return query.mediaTypes.length > 0 && query.mediaTypes.every((type) => type === 'audio');
}
