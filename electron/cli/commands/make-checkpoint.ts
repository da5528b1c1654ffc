/** `voxtral make-checkpoint`: a random, deterministic checkpoint in Mistral's format. */
import { makeCheckpoint } from '../../../native-models/js/checkpoint/make-checkpoint.js';
import { presets, type PresetName } from '../../../native-models/js/checkpoint/presets.js';
import { oneOf, parseCommandArgs, parseInteger, requireString } from '../args.js';
import type { CliCommand } from '../command.js';
import { progressReporter } from '../progress.js';

const usage = 'voxtral make-checkpoint --preset tiny|small|full --seed N --out DIR';

export const makeCheckpointCommand: CliCommand = {
  name: 'make-checkpoint',
  summary: 'write a random Voxtral Realtime checkpoint (params.json, consolidated.safetensors, tekken.json)',
  usage,
  run(argv, io) {
    const { values } = parseCommandArgs(argv, { preset: { type: 'string' }, seed: { type: 'string', default: '0' }, out: { type: 'string' } }, usage);
    const preset = oneOf<PresetName>(requireString(values.preset, '--preset', usage), ['tiny', 'small', 'full'], '--preset');
    const out = requireString(values.out, '--out', usage);
    makeCheckpoint(presets[preset], parseInteger(values.seed!, '--seed'), out, progressReporter(io, 'generating'));
    io.out(`wrote ${preset} checkpoint to ${out}\n`);
    return 0;
  },
};
