// One `pack` in a worker thread (checkpoint-converter.ts starts it; build/bundle.mjs bundles it as
// dist/main/pack-worker.cjs): the conversion reads and writes gigabytes synchronously, which would
// freeze the main process. Progress is throttled to a few messages a second.

import { parentPort, workerData } from 'node:worker_threads';
import { ModelFormatError } from '../../../native-models/js/format/errors';
import { pack } from '../../../native-models/js/pack/pack';
import type { PackEvent, PackJob } from './checkpoint-converter';

const post = (event: PackEvent) => parentPort?.postMessage(event);
const job = workerData as PackJob;
let last = 0;
try {
  const result = pack({
    ...job,
    onProgress(done, total, tensor) {
      const now = Date.now();
      if (done < total && now - last < 200) return;
      last = now;
      post({ type: 'progress', done, total, tensor });
    },
  });
  post({ type: 'done', pteBytes: result.pteBytes, ptdBytes: Number(result.ptdBytes) });
} catch (err) {
  post({ type: 'error', message: (err as Error)?.message ?? String(err), invalid: err instanceof ModelFormatError });
}
