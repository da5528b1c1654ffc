// Serves the built renderer (dist/renderer) under app://voxtral/, and the history's recordings
// under app://voxtral/recordings/<entry id>.wav. Only files inside that folder and recordings of
// existing entries can be reached; every response carries the CSP.

import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_HOST, APP_SCHEME } from './app-origin';
import { CONTENT_SECURITY_POLICY } from './csp';
import { contentTypeOf, recordingIdOf, resolveStaticFile } from './static-files';

/** The recording of a history entry, or null (AppCore.recordingFile). */
export type RecordingLookup = (id: string) => string | null;

/** Must run before the app is ready: gives app:// a real origin, secure context and fetch. */
export function registerAppSchemeAsPrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

export function serveAppProtocol(rendererDir: string, recordings: RecordingLookup): void {
  protocol.handle(APP_SCHEME, (request) => respondWithAppFile(rendererDir, request.url, recordings));
}

/** The file an app:// URL names, or null if it is not one of ours or escapes the folder. */
export function resolveAppFile(rendererDir: string, url: string, recordings: RecordingLookup = () => null): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  const recording = recordingIdOf(parsed.pathname);
  if (recording) return recordings(recording);
  return resolveStaticFile(rendererDir, parsed.pathname);
}

export async function respondWithAppFile(rendererDir: string, url: string, recordings: RecordingLookup = () => null): Promise<Response> {
  const file = resolveAppFile(rendererDir, url, recordings);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}
