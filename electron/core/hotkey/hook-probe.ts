// Whether the global key hook (uiohook-napi) can run here, decided before it is started in the
// app's own process. On Linux, starting it without a reachable X display aborts the whole process
// (SIGABRT, not catchable), so we check the environment and then start it once in a throwaway
// child (ELECTRON_RUN_AS_NODE). macOS and Windows fail with a catchable error instead, and there
// the RunAsNode fuse is off (build/fuses.ts), so the child would be a second app instance: no
// child there; HotkeyService catches the failure.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ProbeResult {
  ok: boolean;
  /** For people, when not ok. */
  reason: string | null;
}

/** A reason the hook cannot work in this environment, or null when it is worth probing. */
export function hookPreconditions(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform === 'linux') {
    if (env.WAYLAND_DISPLAY || env.XDG_SESSION_TYPE === 'wayland') {
      return 'Wayland does not let apps see key releases globally';
    }
    if (!env.DISPLAY) return 'there is no X display (DISPLAY is not set)';
  }
  if (platform !== 'linux' && platform !== 'darwin' && platform !== 'win32') return `no key hook exists for ${platform}`;
  return null;
}

/** Where uiohook-napi is, for the child to require: looked up from this bundle, the main script, then cwd. */
export function resolveHookModule(): string | null {
  const bases = [typeof __filename === 'string' ? __filename : null, process.argv[1] ?? null, path.join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    if (!base) continue;
    try {
      return createRequire(base).resolve('uiohook-napi');
    } catch {
      // try the next base
    }
  }
  return null;
}

export interface ProbeOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  modulePath?: string | null;
  /** The Node (or Electron, run as Node) binary for the child. */
  execPath?: string;
  timeoutMs?: number;
}

export async function probeHook(options: ProbeOptions = {}): Promise<ProbeResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const precondition = hookPreconditions(platform, env);
  if (precondition) return { ok: false, reason: precondition };
  if (platform !== 'linux') return { ok: true, reason: null };
  const modulePath = options.modulePath === undefined ? resolveHookModule() : options.modulePath;
  if (!modulePath) return { ok: false, reason: 'the uiohook-napi module is not installed' };
  const script = [
    `const { uIOhook } = require(${JSON.stringify(modulePath)});`,
    'uIOhook.start();',
    'setTimeout(() => { uIOhook.stop(); process.stdout.write("hook-ok"); process.exit(0); }, 200);',
  ].join('\n');
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    const child = spawn(options.execPath ?? process.execPath, ['-e', script], {
      env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); resolve({ ok: false, reason: `the probe could not run (${err.message})` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && stdout.includes('hook-ok')) return resolve({ ok: true, reason: null });
      const said = stderr.trim().split('\n').filter(Boolean).slice(-1)[0];
      const how = signal ? `it crashed (${signal})` : `it failed (exit ${code})`;
      resolve({ ok: false, reason: `the global key hook could not start: ${how}${said ? `: ${said}` : ''}` });
    });
  });
}
