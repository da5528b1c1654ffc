/** `voxtral backends [--json]`: where the engine can run here, and each GPU's id for `--gpu`. */
import { formatGpuMemory } from '../../common/byte-size.js';
import { backendResolver } from '../../core/engine/backend-choice.js';
import { EngineError, listBackends, type BackendInfo } from '../../../native-models/js/engine.js';
import { parseCommandArgs } from '../args.js';
import { CliUsageError, type CliCommand } from '../command.js';

const usage = 'voxtral backends [--json]';

/** One line per backend, then one per GPU it found (usable or not), then what 'auto' takes. */
export function formatBackends(backends: BackendInfo[]): string {
  const lines: string[] = [];
  for (const b of backends) {
    lines.push(`${b.id.padEnd(5)} ${b.available ? 'available  ' : 'unavailable'} ${b.name}${b.reason ? ` — ${b.reason}` : ''}`);
    for (const d of b.devices) {
      const about = `${d.name}, ${formatGpuMemory(d.memoryBytes)}, compute ${d.compute}`;
      lines.push(`  --gpu ${d.id}  #${d.index} ${about}${d.usable ? '' : ` (cannot run the model: ${d.reason})`}`);
    }
  }
  const auto = backendResolver(() => backends)('auto');
  lines.push(`auto  → ${auto} (the default of voxtral transcribe and of the app)`);
  return `${lines.join('\n')}\n`;
}

export const backendsCommand: CliCommand = {
  name: 'backends',
  summary: 'list where the engine can run here (CPU, CUDA) and each GPU, with the id that --gpu takes',
  usage,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, usage);
    if (positionals.length) throw new CliUsageError(`unexpected argument ${positionals[0]}\nusage: ${usage}`);
    let backends: BackendInfo[];
    try {
      backends = listBackends();
    } catch (err) {
      if (err instanceof EngineError) throw new CliUsageError(err.message); // e.g. the engine is not built
      throw err;
    }
    io.out(values.json ? `${JSON.stringify(backends)}\n` : formatBackends(backends));
    return 0;
  },
};
