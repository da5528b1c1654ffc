/** Paths of the genuine ExecuTorch fixtures shared by the model-file tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.resolve(here, '../../../shared/fixtures/executorch');

export const pteFixtures = [
  { file: 'AddModel_model.pte', discipline: 'python' },
  { file: 'HelloExecuTorch_model.pte', discipline: 'python' },
  { file: 'KeywordSpotting_model.pte', discipline: 'python' },
  { file: 'add.pte', discipline: 'flatc' },
  { file: 'ModuleLinear-no-constant-segment.pte', discipline: 'flatc' },
] as const;

export const ptdFixtures = [
  { file: 'synthetic/ModuleAddMul.synthetic-seg16.ptd', segmentAlignment: 16 },
  { file: 'synthetic/ModuleAddMul.synthetic-seg128.ptd', segmentAlignment: 128 },
] as const;

export function loadFixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixturesDir, file)));
}
