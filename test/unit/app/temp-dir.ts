import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A fresh directory per test, removed afterwards. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    // A core a test did not close may still be renaming a settings/history file into the dir:
    // retry instead of failing the test on ENOTEMPTY.
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vxd-app-'));
    made.push(dir);
    return dir;
  };
}
