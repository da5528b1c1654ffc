// Recording fakes for the insertion module's boundaries.
import type { CommandResult, CommandRunner, RunOptions, ServingProcess, StreamingProcess } from '../../../electron/core/insertion/command-runner';
import { ClipboardLender } from '../../../electron/core/insertion/clipboard-loan';
import type {
  ClipboardOffer, ClipboardSnapshot, ClipboardStore, FocusedAppKind, KeyInjector, LentClipboard, ReadReceipt,
} from '../../../electron/core/insertion/types';

/** Records what reaches the "app"; `text` is what the target window would show. */
export class FakeKeys implements KeyInjector {
  readonly name = 'fake';
  text = '';
  calls: string[] = [];
  kind: FocusedAppKind = 'app';
  failTypingAfter = Infinity;
  typeDelayMs = 0;
  onPaste: (() => void) | null = null;
  async focusedAppKind(): Promise<FocusedAppKind> { this.calls.push('focus'); return this.kind; }
  async sendPaste(kind: FocusedAppKind): Promise<void> { this.calls.push(`paste:${kind}`); this.onPaste?.(); }
  async typeText(text: string): Promise<void> {
    if (this.typeDelayMs) await new Promise((r) => setTimeout(r, this.typeDelayMs));
    if (this.text.length + text.length > this.failTypingAfter) throw new Error('xdotool: BadWindow');
    this.calls.push(`type:${text}`);
    this.text += text;
  }
  async backspace(count: number): Promise<void> {
    this.calls.push(`backspace:${count}`);
    this.text = Array.from(this.text).slice(0, -count).join('');
  }
}

interface FakeSnapshot extends ClipboardSnapshot { content: string }

export class FakeClipboard implements ClipboardStore {
  readonly name = 'fake';
  content = 'previous';
  log: string[] = [];
  receipt: ReadReceipt = 'read';
  /** What the target read when it pasted. */
  readByTarget: string | null = null;
  async snapshot(): Promise<ClipboardSnapshot> {
    this.log.push('snapshot');
    const snap: FakeSnapshot = { formats: ['UTF8_STRING'], dropped: [], content: this.content };
    return snap;
  }
  async offer(text: string): Promise<ClipboardOffer> {
    this.log.push(`offer:${text}`);
    this.content = text;
    return {
      markChord: () => { this.log.push('mark'); },
      waitForRead: async () => { this.log.push('wait'); return this.receipt; },
      release: () => { this.log.push('release'); },
      holdsClipboard: async () => this.content === text,
    };
  }
  async writeText(text: string): Promise<void> { this.log.push(`write:${text}`); this.content = text; }
  async restore(snapshot: ClipboardSnapshot): Promise<void> {
    this.log.push('restore');
    this.content = (snapshot as FakeSnapshot).content;
  }
}

/** `store` as the platform hands it out: lent, given back `returnAfterMs` after a paste settles. */
export function lent(store: ClipboardStore, returnAfterMs = 0, lender = new ClipboardLender(returnAfterMs)): LentClipboard {
  return lender.lent('clipboard', store);
}

type Handler = (args: readonly string[], options: RunOptions) => Partial<CommandResult> | Error;

export class FakeRunner implements CommandRunner {
  runs: { file: string; args: readonly string[]; input?: string }[] = [];
  served: { file: string; args: readonly string[]; input: string; lines: (l: string) => void; killed: boolean; exit(): void }[] = [];
  detached: { file: string; args: readonly string[]; input: string }[] = [];
  installed = new Set<string>(['xdotool', 'xclip', 'xprop']);
  constructor(private readonly handler: (file: string) => Handler | undefined = () => undefined) {}

  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.runs.push({ file, args, input: options.input?.toString() });
    const out = this.handler(file)?.(args, options) ?? {};
    if (out instanceof Error) throw out;
    return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '', ...out };
  }
  serve(file: string, args: readonly string[], input: string | Buffer): ServingProcess {
    const listeners: ((l: string) => void)[] = [];
    let exit!: () => void;
    const exited = new Promise<void>((r) => { exit = r; });
    const record = { file, args, input: input.toString(), lines: (l: string) => listeners.forEach((x) => x(l)), killed: false, exit: () => exit() };
    this.served.push(record);
    return { onLine: (l) => listeners.push(l), exited, kill: () => { record.killed = true; exit(); } };
  }
  /** Streamed processes: what was written, line by line as it came; `onWrite` sees each write. */
  streams: { file: string; args: readonly string[]; written: string[]; closed: boolean }[] = [];
  onWrite: ((text: string) => void) | null = null;
  streamResult: Partial<CommandResult> = {};
  stream(file: string, args: readonly string[]): StreamingProcess {
    const record = { file, args, written: [] as string[], closed: false };
    this.streams.push(record);
    return {
      write: (text) => { record.written.push(text); this.onWrite?.(text); },
      close: async () => {
        record.closed = true;
        return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr: '', ...this.streamResult };
      },
    };
  }
  async detach(file: string, args: readonly string[], input: string | Buffer): Promise<void> {
    this.detached.push({ file, args, input: input.toString() });
  }
  has(file: string): boolean { return this.installed.has(file); }
}
