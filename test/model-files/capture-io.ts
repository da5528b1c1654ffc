/** A CliIo that records what a command writes. */
import type { CliIo } from '../../electron/cli/command.js';

export function captureIo(): { io: CliIo; out(): string; err(): string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => { out += t; }, err: (t) => { err += t; } }, out: () => out, err: () => err };
}
