// "Start at login" on Linux: an XDG autostart entry (~/.config/autostart/<id>.desktop), which
// every freedesktop session honours. Electron's setLoginItemSettings covers macOS and Windows only.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

export interface AutostartCommand {
  /** The executable (process.execPath). */
  exec: string;
  /** Extra arguments (the app folder when running unpackaged). */
  args: string[];
}

export const AUTOSTART_ID = 'voxtral-dictate';

export function autostartFile(configHome = process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config')): string {
  return path.join(configHome, 'autostart', `${AUTOSTART_ID}.desktop`);
}

/** Quotes one Exec argument as the Desktop Entry spec requires. */
export function quoteExecArgument(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg.replace(/%/g, '%%');
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

export function autostartEntry(command: AutostartCommand): string {
  const exec = [command.exec, ...command.args].map(quoteExecArgument).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Voxtral Dictate',
    'Comment=Local live dictation',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Creates or removes the autostart entry; idempotent. */
export async function setLinuxAutostart(enabled: boolean, command: AutostartCommand, file = autostartFile()): Promise<void> {
  if (!enabled) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, autostartEntry(command), { mode: 0o644 });
}
