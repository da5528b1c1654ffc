// A private Wayland session for end-to-end tests: headless sway (wlroots, with the data-control
// protocol wl-clipboard uses, and its IPC for the focused window), on its own runtime folder. sway refuses to run as root, so under
// root (CI) it runs as nobody, and clients reach its socket as root. stop() ends it.

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface WaylandSession {
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const NOBODY = 65534;

/**
 * `keyboard`: give the seat a keyboard that stays (a long-lived wtype), as a desktop has one:
 * headless sway has none, and a window that appeared without one never binds it, so the
 * short-lived virtual keyboards of the wtype calls under test would type into nothing.
 */
export async function startWaylandSession(options: { keyboard?: boolean } = {}): Promise<WaylandSession> {
  const runtime = mkdtempSync(path.join(tmpdir(), 'vxd-wayland-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(runtime, NOBODY, NOBODY);
  const env: NodeJS.ProcessEnv = {
    ...process.env, XDG_RUNTIME_DIR: runtime, XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'sway',
    WLR_BACKENDS: 'headless', WLR_LIBINPUT_NO_DEVICES: '1', WLR_RENDERER: 'pixman', HOME: runtime,
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY; // else wlroots would nest in it
  // No config; sway picks the first free socket name in the private runtime folder.
  const command = ['sway', '-c', '/dev/null'];
  const argv = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command] : command;
  const sway = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sway.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const socket = await new Promise<string | null>((resolve) => {
    sway.on('error', () => resolve(null));
    sway.on('exit', () => resolve(null));
    const deadline = Date.now() + 10_000;
    const poll = (): void => {
      const found = readdirSync(runtime).find((f) => /^wayland-\d+$/.test(f));
      if (found) return resolve(found);
      if (Date.now() > deadline) return resolve(null);
      setTimeout(poll, 50);
    };
    poll();
  });
  if (!socket) {
    sway.kill();
    rmSync(runtime, { recursive: true, force: true });
    throw new Error(`headless sway did not start (apt install sway wl-clipboard): ${log.trim().split('\n').slice(-3).join(' | ')}`);
  }
  env.WAYLAND_DISPLAY = socket;
  // swaymsg finds sway through SWAYSOCK, as every client sway starts does.
  const ipc = readdirSync(runtime).find((f) => f.startsWith('sway-ipc.') && f.endsWith('.sock'));
  if (ipc) env.SWAYSOCK = path.join(runtime, ipc);
  const keyboard = options.keyboard ? spawn('wtype', ['-s', '3600000'], { env, stdio: 'ignore' }) : null;
  for (const deadline = Date.now() + 3000; keyboard && Date.now() < deadline;) {
    const seats = spawnSync('swaymsg', ['-t', 'get_seats', '-r'], { env, encoding: 'utf8' });
    if (/"capabilities":\s*[1-9]/.test(seats.stdout ?? '')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    env,
    stop: async () => {
      keyboard?.kill();
      if (sway.exitCode === null && sway.signalCode === null) {
        sway.kill('SIGTERM');
        await new Promise((r) => { sway.once('exit', r); setTimeout(r, 2000); });
      }
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}
