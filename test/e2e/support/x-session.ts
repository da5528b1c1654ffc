// A private X session for end-to-end tests: Xvfb on a free display (chosen by Xvfb itself via
// -displayfd, so parallel runs never collide) plus openbox, so focus and _NET_ACTIVE_WINDOW work
// like on a desktop. stop() kills both.

import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface XSession {
  display: string;
  env: NodeJS.ProcessEnv;
  /** Runs an X client (xdotool, xclip -o, setxkbmap …) against this display. */
  x(file: string, args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startXSession(): Promise<XSession> {
  // -terminate: the server exits when its last client disconnects. The global key hook keeps an X
  // connection open until this process exits, and Xlib exits a process whose server vanishes, so
  // the server must outlive the test process rather than be killed under it.
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-terminate', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  // Detached xclip servers (the restored clipboard) are clients too; a watchdog ends the server
  // once this test process is gone, however it ends.
  spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill ${xvfb.pid} 2>/dev/null`],
    { stdio: 'ignore', detached: true }).unref();
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 10 s')), 10_000);
    xvfb.on('error', (err) => { clearTimeout(timer); reject(new Error(`Xvfb could not run: ${err.message} (apt install xvfb)`)); });
    xvfb.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(`:${m[1]}`); }
    });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
  delete env.WAYLAND_DISPLAY;
  delete env.XDG_SESSION_TYPE;
  // A client that holds the server up until stop(): with -terminate, the short-lived xprop and
  // xdotool clients would otherwise end the server between them.
  const keeper = spawn('xprop', ['-root', '-spy', '_NET_ACTIVE_WINDOW'], { env, stdio: 'ignore' });
  const children: ChildProcess[] = [xvfb, keeper];
  const openbox = spawn('openbox', ['--sm-disable'], { env, stdio: 'ignore' });
  children.push(openbox);
  const x = async (file: string, args: string[], input?: string): Promise<string> => {
    if (input === undefined) {
      const { stdout } = await exec(file, args, { env, timeout: 10_000 });
      return stdout;
    }
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('error', reject);
      child.on('close', () => resolve(out));
      child.stdin.end(input);
    });
  };
  // openbox is ready once it has set _NET_SUPPORTING_WM_CHECK on the root window.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const root = await x('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK']).catch(() => '');
    if (/window id/.test(root)) break;
    if (Date.now() > deadline) throw new Error('openbox did not start (apt install openbox)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    display,
    env,
    x,
    // Stops the window manager and the keeper; Xvfb goes when its last client (this process) does.
    stop: async () => {
      for (const child of children.filter((c) => c !== xvfb)) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await new Promise((r) => { child.once('close', r); setTimeout(r, 2000); });
        }
      }
    },
  };
}
