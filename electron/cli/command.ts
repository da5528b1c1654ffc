/** What every `voxtral` subcommand provides, and the I/O it writes through (fakeable in tests). */

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. Throw CliUsageError / ModelFormatError for user errors. */
  run(argv: string[], io: CliIo): Promise<number> | number;
}

/** A mistake in how the command was called: reported as one line, no stack trace. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
