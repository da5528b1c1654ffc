// Which permission requests the app grants: the microphone, audio only, to its own pages. The
// renderer never needs the camera, location, notifications or anything else, so all of those
// are refused, and so is any request from a page that is not the app's.

import { isAppUrl } from './app-origin';

export interface PermissionQuery {
  permission: string;
  /** The URL (or origin) of the frame asking. */
  requestingUrl: string | undefined;
  /** For 'media': the kinds requested ('audio', 'video'); 'unknown' when Chromium does not say. */
  mediaTypes: readonly string[];
}

export function isPermissionAllowed(query: PermissionQuery): boolean {
  if (query.permission !== 'media') return false;
  if (!isAppUrl(query.requestingUrl)) return false;
  return query.mediaTypes.length > 0 && query.mediaTypes.every((type) => type === 'audio');
}
