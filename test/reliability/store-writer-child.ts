// Child process of data-integrity.test.ts (bundled by esbuild at test time): keeps adding history
// entries and changing settings through the real stores, printing each write once it has resolved,
// until the parent kills it mid-write.
import { HistoryStore } from '../../electron/core/history/history-store';
import { SettingsStore } from '../../electron/core/settings/settings-store';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const history = await HistoryStore.open(dir, { maxEntries: 100_000 });
  const settings = await SettingsStore.open(dir);
  const run = Number(process.argv[3]);
  for (let i = 0; ; i++) {
    const text = `run ${run} entry ${i}: ${'every word kept '.repeat(200)}`;
    await history.add({ model: 'model.pte', backend: 'cpu', dtype: 'fp32', source: 'mic', text, durationMs: i });
    process.stdout.write(`history ${run} ${i}\n`);
    await settings.update({ history: { maxEntries: 1000 + (i % 1000) } });
    process.stdout.write(`settings ${1000 + (i % 1000)}\n`);
  }
}

void main();
