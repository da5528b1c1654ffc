/** `voxtral inspect FILE.pte [FILE.ptd] [--json]`. */
import { formatReport, inspectFiles } from '../../../native-models/js/inspect/inspect.js';
import { parseCommandArgs } from '../args.js';
import { CliUsageError, type CliCommand } from '../command.js';

const usage = 'voxtral inspect FILE.pte [FILE.ptd] [--json]';

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'show the methods, constants, segments and weights of a .pte/.ptd pair, and whether this app can run it',
  usage,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, usage);
    if (positionals.length < 1 || positionals.length > 2) throw new CliUsageError(`expected a .pte file and optionally a .ptd file\nusage: ${usage}`);
    const report = inspectFiles(positionals[0], positionals[1]);
    if (values.json) {
      const { methods, segments, namedData, runnable, reason } = report;
      io.out(`${JSON.stringify({ methods, segments, namedData, runnable, reason })}\n`);
    } else {
      io.out(formatReport(report));
    }
    return 0;
  },
};
