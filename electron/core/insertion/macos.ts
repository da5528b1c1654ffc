// macOS: keystrokes through System Events (osascript). They need the Accessibility permission for
// this app; without it, macOS drops them silently, so we check first and say where to grant it.
// `keystroke "v" using command down` names the character, so it is layout-safe.

import { runChecked, type CommandRunner } from './command-runner';
import { appFromLines, InsertionError, type FocusedApp, type FocusedAppKind, type KeyInjector } from './types';

export const MACOS_ACCESSIBILITY_MESSAGE =
  'To paste or type into other apps, allow Voxtral Dictate in System Settings → Privacy & Security → Accessibility, then try again. Until then the text is left on the clipboard.';

export class AppleScriptKeys implements KeyInjector {
  readonly name = 'osascript';
  constructor(private readonly runner: CommandRunner, private readonly accessibilityTrusted: () => boolean) {}
  // Terminal.app and iTerm paste with Cmd+V like everything else.
  async focusedAppKind(): Promise<FocusedAppKind> { return 'app'; }

  /** The frontmost app's name and bundle id (System Events; needs the same permission as the keys). */
  async focusedApp(): Promise<FocusedApp | null> {
    if (!this.accessibilityTrusted()) return null;
    const script = 'tell application "System Events" to set p to first application process whose frontmost is true\n'
      + 'return (name of p) & linefeed & (bundle identifier of p)';
    const result = await this.runner.run('osascript', ['-e', script], { timeoutMs: 1500 });
    return result.code === 0 ? appFromLines(result.stdout.toString('utf8')) : null;
  }
  async sendPaste(): Promise<void> {
    await this.script('tell application "System Events" to keystroke "v" using command down');
  }
  async typeText(text: string): Promise<void> {
    await this.script(`tell application "System Events" to keystroke ${appleScriptString(text)}`);
  }
  async backspace(count: number): Promise<void> {
    if (count <= 0) return;
    await this.script(`tell application "System Events" to repeat ${Math.floor(count)} times\nkey code 51\nend repeat`);
  }
  private async script(source: string): Promise<void> {
    if (!this.accessibilityTrusted()) throw new InsertionError(MACOS_ACCESSIBILITY_MESSAGE);
    await runChecked(this.runner, 'osascript', ['-e', source]);
  }
}

export function appleScriptString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
