/** A progress line on stderr, redrawn in place on a terminal and throttled to a few updates a second. */
import type { CliIo } from './command.js';

export function progressReporter(io: CliIo, label: string, isTty = Boolean(process.stderr.isTTY)) {
  let last = 0;
  let lastPercent = -1;
  return (done: number, total: number, detail: string) => {
    const now = Date.now();
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    if (done < total && now - last < 250 && percent === lastPercent) return;
    // Logs get a line per 10% so CI output stays short.
    if (!isTty && Math.floor(percent / 10) === Math.floor(lastPercent / 10) && done < total) return;
    last = now;
    lastPercent = percent;
    const line = `${label} ${String(percent).padStart(3)}%  ${detail}`;
    io.err(isTty ? `\r\x1b[2K${line}${done >= total ? '\n' : ''}` : `${line}\n`);
  };
}
