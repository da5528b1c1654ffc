// Windows: keystrokes through PowerShell's SendKeys (which calls SendInput). SendKeys resolves
// "^v" through the active layout (VkKeyScan), so paste stays paste on AZERTY or Dvorak.
// Each call starts PowerShell (~0.3 s), fine for paste, slow-ish for live typing.

import { runChecked, type CommandRunner } from './command-runner';
import type { FocusedAppKind, KeyInjector } from './types';

export class SendKeysInjector implements KeyInjector {
  readonly name = 'SendKeys';
  constructor(private readonly runner: CommandRunner) {}
  async focusedAppKind(): Promise<FocusedAppKind> { return 'app'; }
  async sendPaste(kind: FocusedAppKind): Promise<void> {
    await this.send(kind === 'terminal' ? '^+v' : '^v');
  }
  async typeText(text: string): Promise<void> {
    await this.send(sendKeysEscape(text));
  }
  async backspace(count: number): Promise<void> {
    if (count > 0) await this.send(`{BACKSPACE ${Math.floor(count)}}`);
  }
  private async send(keys: string): Promise<void> {
    // The keys travel on stdin, never through the command line's quoting.
    const script = 'Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.SendKeys]::SendWait([Console]::In.ReadToEnd())';
    await runChecked(this.runner, 'powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { input: keys, timeoutMs: 15_000 });
  }
}

/** SendKeys treats + ^ % ~ ( ) { } [ ] as commands; braces make them literal. */
export function sendKeysEscape(text: string): string {
  return text.replace(/[+^%~(){}[\]]/g, (c) => `{${c}}`).replace(/\r?\n/g, '{ENTER}');
}
