/** inspect's verdict on programs delegating to ExecuTorch's own backends, and on damaged pairs of ours. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCheckpoint } from '../../native-models/js/checkpoint/make-checkpoint.js';
import { presets } from '../../native-models/js/checkpoint/presets.js';
import { DataLocation, EValueType, InstructionType, type Program } from '../../native-models/js/format/program-schema.js';
import { layoutSegments, readPte, writePte } from '../../native-models/js/format/pte.js';
import { inspectFiles } from '../../native-models/js/inspect/inspect.js';
import { pack } from '../../native-models/js/pack/pack.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'vxd-verdict-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A program shaped like ExecuTorch's CUDA export: one delegated method, the AOTI .so as named data. */
function foreignProgram(backend: string): Uint8Array {
  const soKey = `${'ab'.repeat(32)}_so_blob`;
  const { segments, data } = layoutSegments([new Uint8Array(0), new TextEncoder().encode(`${soKey}\n${'cd'.repeat(32)}_weights_blob`), new Uint8Array(64)]);
  const program: Program = {
    version: 0,
    execution_plan: [{
      name: 'encode_audio_chunk',
      values: [{ val_type: EValueType.Null, val: {} }],
      inputs: [0], outputs: [0],
      chains: [{ inputs: [0], outputs: [0], instructions: [{ instr_args_type: InstructionType.DelegateCall, instr_args: { delegate_index: 0, args: [0, 0] } }] }],
      operators: [],
      delegates: [{ id: backend, processed: { location: DataLocation.Segment, index: 1 }, compile_specs: [{ key: 'method_name', value: new TextEncoder().encode('encode_audio_chunk') }] }],
      non_const_buffer_sizes: [0n],
    }],
    constant_buffer: [], backend_delegate_data: [], segments,
    constant_segment: { segment_index: 0, offsets: [0n] },
    named_data: [{ key: soKey, segment_index: 2 }],
  };
  return writePte(program, data);
}

describe('genuine ExecuTorch backend exports', () => {
  test.each([['CudaBackend', /CUDA \(AOTInductor\)/], ['XnnpackBackend', /XNNPACK/], ['MetalBackend', /Metal/], ['SomeNewBackend', /delegating to SomeNewBackend/]])(
    '%s is recognised and explained', (backend, pattern) => {
      const file = path.join(dir, `${backend}.pte`);
      writeFileSync(file, foreignProgram(backend));
      const report = inspectFiles(file);
      expect(report.runnable).toBe(false);
      expect(report.reason).toMatch(pattern);
      expect(report.reason).toMatch(/ExecuTorch runtime/);
      expect(report.methods[0].backends).toEqual([backend]);
      expect(report.namedData).toEqual([{ key: `${'ab'.repeat(32)}_so_blob`, bytes: 64, file: 'pte' }]);
    });
});

describe('our pair with a problem', () => {
  let model: string;
  beforeAll(() => {
    makeCheckpoint(presets.tiny, 5, path.join(dir, 'ckpt'));
    model = path.join(dir, 'model');
    pack({ checkpointDir: path.join(dir, 'ckpt'), outDir: model, dtype: 'bf16', quant: '8w', groupSize: 32 });
  });

  test('the .ptd of a differently packed model is refused with the mismatching weight named', () => {
    const other = path.join(dir, 'model-4w');
    pack({ checkpointDir: path.join(dir, 'ckpt'), outDir: other, dtype: 'bf16', quant: '4w', groupSize: 32 });
    const report = inspectFiles(path.join(model, 'model.pte'), path.join(other, 'model.ptd'));
    expect(report.runnable).toBe(false);
    expect(report.reason).toMatch(/weight "mm_streams_embeddings\.embedding_module\.whisper_encoder\.transformer\.layers\.0\.attention\.wq\.weight" is QUINT4X2 \[64, 32\]; the program expects CHAR \[64, 64\]/);
  });

  test('a program without its .ptd, or without a constant, is not runnable and says why', () => {
    const alone = path.join(dir, 'alone.pte');
    const bytes = readFileSync(path.join(model, 'model.pte'));
    writeFileSync(alone, bytes);
    expect(inspectFiles(alone).reason).toMatch(/no \.ptd was given/);
    const pte = readPte(new Uint8Array(bytes));
    const program = { ...pte.program, execution_plan: pte.program.execution_plan!.filter((p) => p.name !== 'eos_id') };
    const damaged = path.join(dir, 'damaged.pte');
    writeFileSync(damaged, writePte(program, pte.segmentData));
    const report = inspectFiles(damaged, path.join(model, 'model.ptd'));
    expect(report.runnable).toBe(false);
    expect(report.reason).toMatch(/constant method "eos_id" is missing/);
  });
});
