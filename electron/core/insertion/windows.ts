// Windows: keystrokes through PowerShell's SendKeys (which calls SendInput). SendKeys resolves
// "^v" through the active layout (VkKeyScan), so paste stays paste on AZERTY or Dvorak.
// Each call starts PowerShell (~0.3 s), fine for paste, slow-ish for live typing.

import { runChecked, type CommandRunner } from './command-runner';
import { appFromLines, type FocusedApp, type FocusedAppKind, type KeyInjector } from './types';

export class SendKeysInjector implements KeyInjector {
  readonly name = 'SendKeys';
  readonly focusedAppCostly = true;
  constructor(private readonly runner: CommandRunner) {}
  async focusedAppKind(): Promise<FocusedAppKind> { return 'app'; }

  /** The foreground window's process name ("slack", "Code"), as rules name Windows apps. */
  async focusedApp(): Promise<FocusedApp | null> {
    const script = 'Add-Type -Namespace Vxd -Name Fg -MemberDefinition \'[DllImport("user32.dll")] public static extern System.IntPtr GetForegroundWindow();'
      + ' [DllImport("user32.dll")] public static extern uint GetWindowThreadProcessId(System.IntPtr w, out uint p);\';'
      + ' $p = 0; [void][Vxd.Fg]::GetWindowThreadProcessId([Vxd.Fg]::GetForegroundWindow(), [ref]$p); (Get-Process -Id $p).ProcessName';
    // The script travels on stdin ("-Command -"): its quotes never meet the command line's quoting.
    const result = await this.runner.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', '-'], { input: `${script}\n`, timeoutMs: 5000 });
    return result.code === 0 ? appFromLines(result.stdout.toString('utf8')) : null;
  }
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
