/**
 * The `voxtral` CLI dispatcher. User errors (bad flags, bad or missing files) print one line to
 * stderr and exit 1; unexpected failures also print their stack.
 */
import { ModelFormatError } from '../../native-models/js/format/errors.js';
import { CliUsageError, type CliCommand, type CliIo } from './command.js';
import { commands as registered } from './commands/index.js';

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function help(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: voxtral <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "voxtral <command> --help" for a command\'s options.',
    '',
  ].join('\n');
}

/** Errors that describe a problem with the user's input or files rather than a bug. */
function isUserError(err: unknown): err is Error {
  if (err instanceof CliUsageError || err instanceof ModelFormatError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EEXIST', 'EROFS'].includes(code);
}

export async function runCli(argv: string[], io: CliIo = processIo, commands: readonly CliCommand[] = registered): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`voxtral: unknown command "${name}"\n${help(commands)}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (isUserError(err)) {
      io.err(`voxtral ${name}: ${err.message}\n`);
      return 1;
    }
    io.err(`voxtral ${name}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
