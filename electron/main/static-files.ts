// Maps a URL path to a file inside the built renderer folder, for the app:// protocol and the
// browser harness alike. Plain Node (no electron import); nothing outside the folder is reachable.

import path from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
}

/**
 * The history entry whose recording a URL path names (`/recordings/<id>.wav`, as recordingUrl()
 * makes it relative to the page), or null. Only the id travels on: main finds the file.
 */
export function recordingIdOf(urlPathname: string): string | null {
  const match = /^\/recordings\/([0-9a-f-]{36})\.wav$/.exec(urlPathname);
  return match ? match[1] : null;
}

/** The file a URL path names inside `rootDir` ('/' = index.html), or null if it would escape it. */
export function resolveStaticFile(rootDir: string, urlPathname: string): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  if (relative === '/' || relative === '') relative = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${relative}`);
  return file.startsWith(root + path.sep) ? file : null;
}
