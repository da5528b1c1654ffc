// Finding a file the app ships inside the repository tree (the Silero VAD model, the demo speech
// model): `resources/app.asar.unpacked/<relative>` in a packaged app — native code opens these by
// path and cannot read inside an asar — or `<checkout>/<relative>`, found upwards from this
// module's folder or the working folder when running from source.

import { existsSync } from 'node:fs';
import path from 'node:path';

export interface BundledSearch {
  /** Electron's process.resourcesPath, when packaged. */
  resourcesPath?: string;
  /** Folders to search upwards from. */
  startDirs?: string[];
}

/** Candidate paths of `relative` (a repo-relative path), in the order they are tried. */
export function bundledFileCandidates(relative: string, search: BundledSearch = defaultBundledSearch(), extra: string[] = []): string[] {
  const candidates: string[] = [];
  if (search.resourcesPath) candidates.push(path.join(search.resourcesPath, 'app.asar.unpacked', relative), ...extra);
  else candidates.push(...extra);
  for (const start of search.startDirs ?? []) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      candidates.push(path.join(dir, relative));
      if (path.dirname(dir) === dir) break;
    }
  }
  // Electron's fs sees into app.asar, but native code opens files natively and cannot.
  return [...new Set(candidates)].filter((p) => !p.split(path.sep).some((part) => part.endsWith('.asar')));
}

/** The first candidate that exists, or null. */
export function findBundledFile(relative: string, search?: BundledSearch): string | null {
  return bundledFileCandidates(relative, search).find((p) => existsSync(p)) ?? null;
}

export function defaultBundledSearch(): BundledSearch {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const startDirs = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  return { resourcesPath, startDirs };
}
