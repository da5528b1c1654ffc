// Runs the external input tools (xdotool, xclip, wtype, osascript, …) as subprocesses.
// Why subprocesses: an X error inside the app process kills it (uiohook's keyTap with no focused
// window does), while a failing xdotool only fails its own command.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  /** Output beyond this is an error, never an unbounded buffer. */
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** A process that keeps running (a selection server) and reports its stderr lines. */
export interface ServingProcess {
  onLine(listener: (line: string) => void): void;
  readonly exited: Promise<void>;
  kill(): void;
}

/**
 * Ends a clipboard server that was offering a paste, after `graceMs`: it may still be answering
 * a request addressed to it, and killing it mid-request leaves the requesting app (Chromium: its
 * whole page) waiting for data that never comes. A server that exits first is left alone.
 */
export function endAfterGrace(server: ServingProcess, graceMs: number): void {
  const timer = setTimeout(() => server.kill(), graceMs);
  timer.unref?.();
  void server.exited.then(() => clearTimeout(timer));
}

/** A process fed on stdin as it runs (xdotool's script mode, one command per line). */
export interface StreamingProcess {
  /** Writes to stdin; after the process has exited, the text is dropped. */
  write(text: string): void;
  /** Closes stdin and resolves once the process exits; killed after `timeoutMs`. */
  close(timeoutMs: number): Promise<CommandResult>;
}

export interface CommandRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts a long-lived process fed with `input` on stdin. */
  serve(file: string, args: readonly string[], input: string | Buffer, env?: NodeJS.ProcessEnv): ServingProcess;
  /** Starts a process that reads its input as it comes (see StreamingProcess). */
  stream(file: string, args: readonly string[]): StreamingProcess;
  /** Starts a process that outlives us (xclip's forked server); its output is ignored. */
  detach(file: string, args: readonly string[], input: string | Buffer, env?: NodeJS.ProcessEnv): Promise<void>;
  /** Whether an executable of that name is on PATH. */
  has(file: string): boolean;
}

export class CommandError extends Error {
  constructor(message: string, readonly result: CommandResult | null = null) {
    super(message);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

export class NodeCommandRunner implements CommandRunner {
  constructor(private readonly baseEnv: NodeJS.ProcessEnv = process.env) {}

  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { env: options.env ?? this.baseEnv, stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let size = 0;
      const stderr = keepStderr(child);
      let failure: CommandError | null = null;
      const timer = setTimeout(() => {
        failure = new CommandError(`${file} did not finish within ${timeoutMs} ms`);
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOutput) {
          failure = new CommandError(`${file} wrote more than ${maxOutput} bytes`);
          child.kill('SIGKILL');
          return;
        }
        chunks.push(chunk);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(spawnError(file, err));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const result = { code, signal, stdout: Buffer.concat(chunks), stderr: stderr() };
        if (failure) reject(new CommandError(failure.message, result));
        else resolve(result);
      });
      child.stdin.on('error', () => undefined); // the tool may exit before reading its input
      child.stdin.end(options.input ?? '');
    });
  }

  serve(file: string, args: readonly string[], input: string | Buffer, env?: NodeJS.ProcessEnv): ServingProcess {
    const child = spawn(file, args, { env: env ?? this.baseEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    const listeners: Array<(line: string) => void> = [];
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        for (const l of listeners) l(line);
        newline = pending.indexOf('\n');
      }
      if (pending.length > 4096) pending = '';
    });
    const exited = new Promise<void>((resolve) => {
      child.on('error', () => resolve());
      child.on('close', () => resolve());
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    return {
      onLine: (listener) => { listeners.push(listener); },
      exited,
      kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); },
    };
  }

  stream(file: string, args: readonly string[]): StreamingProcess {
    const child = spawn(file, args, { env: this.baseEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr = keepStderr(child);
    const exited = new Promise<CommandResult>((resolve, reject) => {
      child.on('error', (err: NodeJS.ErrnoException) => reject(spawnError(file, err)));
      child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.alloc(0), stderr: stderr() }));
    });
    exited.catch(() => undefined); // reported by close()
    child.stdin.on('error', () => undefined); // the tool may exit before reading all of it
    return {
      write: (text) => { if (child.exitCode === null && child.signalCode === null && child.stdin.writable) child.stdin.write(text); },
      close: async (timeoutMs) => {
        child.stdin.end();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new CommandError(`${file} did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
        });
        try {
          return await Promise.race([exited, late]);
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  detach(file: string, args: readonly string[], input: string | Buffer, env?: NodeJS.ProcessEnv): Promise<void> {
    // stdout/stderr ignored: the forked server keeps them open, which would hang a captured run.
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { env: env ?? this.baseEnv, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      child.on('error', (err: NodeJS.ErrnoException) => reject(spawnError(file, err)));
      child.on('exit', (code) => {
        if (code === 0) resolve();
        else reject(new CommandError(`${file} exited with code ${code}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      child.unref();
    });
  }

  has(file: string): boolean {
    const dirs = (this.baseEnv.PATH ?? '').split(path.delimiter).filter(Boolean);
    const names = process.platform === 'win32' ? [file, `${file}.exe`, `${file}.cmd`] : [file];
    for (const dir of dirs) {
      for (const name of names) {
        try {
          accessSync(path.join(dir, name), constants.X_OK);
          return true;
        } catch {
          // keep looking
        }
      }
    }
    return false;
  }
}

/** The failure to start `file`, in words: a missing tool says so. */
function spawnError(file: string, err: NodeJS.ErrnoException): CommandError {
  return new CommandError(err.code === 'ENOENT' ? `${file} is not installed` : `${file}: ${err.message}`);
}

/** Collects the child's stderr (the first 16 KB: a tool's own words, never an unbounded buffer). */
function keepStderr(child: ChildProcess): () => string {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 16_384) stderr += chunk.toString('utf8');
  });
  return () => stderr;
}

/** Runs and insists on exit code 0, with the tool's own words in the error. */
export async function runChecked(runner: CommandRunner, file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
  return checkExit(file, await runner.run(file, args, options));
}

/** The result, or an error with the tool's own words when it did not exit with 0. */
export function checkExit(file: string, result: CommandResult): CommandResult {
  if (result.code !== 0) {
    const detail = result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code ?? result.signal}`;
    throw new CommandError(`${file} failed: ${detail}`, result);
  }
  return result;
}
