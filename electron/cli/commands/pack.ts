/** `voxtral pack`: checkpoint directory → model.pte, model.ptd, tekken.json. */
import { pack } from '../../../native-models/js/pack/pack.js';
import type { QuantOption, WeightDtype } from '../../../native-models/js/pack/storage-plan.js';
import { oneOf, parseCommandArgs, parseInteger, requireString } from '../args.js';
import type { CliCommand } from '../command.js';
import { progressReporter } from '../progress.js';

const usage = 'voxtral pack --checkpoint DIR --out DIR [--dtype fp32|bf16] [--quant none|8w|4w] [--group-size N]';

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'convert a Mistral checkpoint directory into model.pte + model.ptd + tekken.json',
  usage,
  run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      checkpoint: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string', default: 'bf16' },
      quant: { type: 'string', default: 'none' }, 'group-size': { type: 'string', default: '32' },
    }, usage);
    const started = Date.now();
    const result = pack({
      checkpointDir: requireString(values.checkpoint, '--checkpoint', usage),
      outDir: requireString(values.out, '--out', usage),
      dtype: oneOf<WeightDtype>(values.dtype!, ['fp32', 'bf16'], '--dtype'),
      quant: oneOf<QuantOption>(values.quant!, ['none', '8w', '4w'], '--quant'),
      groupSize: parseInteger(values['group-size']!, '--group-size'),
      onProgress: progressReporter(io, 'packing'),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(`wrote ${values.out}/model.pte (${result.pteBytes} bytes), model.ptd (${result.ptdBytes} bytes), tekken.json in ${seconds} s\n`);
    return 0;
  },
};
