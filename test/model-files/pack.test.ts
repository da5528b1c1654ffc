/**
 * make-checkpoint → pack → inspect --json → read every weight back and compare with the checkpoint:
 * exact for float formats, within the documented bound for quantized ones. Also the failure paths.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../electron/cli/main.js';
import { captureIo } from './capture-io.js';
import { makeCheckpoint } from '../../native-models/js/checkpoint/make-checkpoint.js';
import { presets } from '../../native-models/js/checkpoint/presets.js';
import { checkpointTensors } from '../../native-models/js/checkpoint/tensor-names.js';
import { fileSource } from '../../native-models/js/format/byte-source.js';
import { ModelFormatError } from '../../native-models/js/format/errors.js';
import { bf16BitsToF32, bf16BytesToF32, f32FromBytes, f32ToBf16Bits, f32ToHalfBits, halfBitsToF32 } from '../../native-models/js/format/numeric.js';
import { readPtd, type PtdFile } from '../../native-models/js/format/ptd.js';
import { openSafetensors, writeSafetensors, type SafetensorsFile } from '../../native-models/js/format/safetensors.js';
import { ScalarType } from '../../native-models/js/format/scalar-type.js';
import { pack } from '../../native-models/js/pack/pack.js';
import { dequantizeRows, type QuantScheme } from '../../native-models/js/pack/quantize.js';
import type { PackOptions } from '../../native-models/js/pack/storage-plan.js';

let dir: string;
let ckpt: string;


beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vxd-pack-'));
  ckpt = path.join(dir, 'ckpt');
  makeCheckpoint(presets.tiny, 1, ckpt);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sourceValues(st: SafetensorsFile, name: string): Float32Array {
  return bf16BytesToF32(st.read(name));
}

function checkQuantized(ptd: PtdFile, name: string, w: Float32Array, rows: number, cols: number, g: number, scheme: QuantScheme): void {
  const data = ptd.read(name);
  const scaleBytes = ptd.read(`${name}.scales`);
  const scales = new Uint16Array(scaleBytes.slice().buffer);
  const deq = dequantizeRows({ data, scales }, rows, cols, g, scheme);
  const qmax = scheme === '8w' ? 127 : 7;
  for (let r = 0; r < rows; r++) {
    for (let grp = 0; grp < cols / g; grp++) {
      const s = halfBitsToF32(scales[r * (cols / g) + grp]);
      let maxQ = 0;
      for (let c = grp * g; c < (grp + 1) * g; c++) {
        const i = r * cols + c;
        expect(Math.abs(w[i] - deq[i])).toBeLessThanOrEqual(s / 2 + 2 ** -25);
        if (s > 0) maxQ = Math.max(maxQ, Math.round(Math.abs(deq[i] / s)));
      }
      // The group's largest weight uses the full code range.
      expect(maxQ).toBe(qmax);
    }
  }
}

const variants: PackOptions[] = [
  { dtype: 'bf16', quant: 'none', groupSize: 32 },
  { dtype: 'fp32', quant: 'none', groupSize: 32 },
  { dtype: 'bf16', quant: '8w', groupSize: 32 },
  { dtype: 'fp32', quant: '4w', groupSize: 64 },
];

describe.each(variants)('tiny checkpoint packed with dtype $dtype, quant $quant, group $groupSize', (options) => {
  let out: string;
  beforeAll(async () => {
    out = path.join(dir, `model-${options.dtype}-${options.quant}-${options.groupSize}`);
    const cli = captureIo();
    const code = await runCli(['pack', '--checkpoint', ckpt, '--out', out, '--dtype', options.dtype, '--quant', options.quant, '--group-size', String(options.groupSize)], cli.io);
    expect(cli.err()).toContain('packing 100%');
    expect(code).toBe(0);
  });

  test('writes exactly model.pte, model.ptd and tekken.json', () => {
    expect(readdirSync(out).sort()).toEqual(['model.ptd', 'model.pte', 'tekken.json']);
    expect(readFileSync(path.join(out, 'tekken.json'))).toEqual(readFileSync(path.join(ckpt, 'tekken.json')));
  });

  test('inspect --json reports a runnable pair with the configuration', async () => {
    const cli = captureIo();
    expect(await runCli(['inspect', path.join(out, 'model.pte'), path.join(out, 'model.ptd'), '--json'], cli.io)).toBe(0);
    const report = JSON.parse(cli.out());
    expect(Object.keys(report).sort()).toEqual(['methods', 'namedData', 'reason', 'runnable', 'segments']);
    expect(report.runnable).toBe(true);
    const byName = Object.fromEntries(report.methods.map((m: { name: string }) => [m.name, m]));
    for (const m of ['encode_audio_chunk', 'text_decoder', 'token_embedding']) {
      expect(byName[m].backends).toEqual(['VoxtralDictateBackend']);
      expect(byName[m].constant).toBeNull();
    }
    expect(byName.encode_audio_chunk.inputs[0]).toEqual({ type: 'Tensor', dtype: 'FLOAT', sizes: [1, 128, 8], dynamic: false });
    expect(byName.encode_audio_chunk.outputs[0].sizes).toEqual([1, 1, 64]);
    const constants = Object.fromEntries(report.methods.filter((m: { constant: unknown }) => m.constant !== null).map((m: { name: string; constant: unknown }) => [m.name, m.constant]));
    expect(constants).toMatchObject({
      sample_rate: 16000, num_mel_bins: 128, hop_length: 160, window_size: 400, downsample_factor: 4, dim: 64, enc_dim: 64,
      vocab_size: 1280, sliding_window: 8192, max_enc_len: 750, conv1_pad: 2, conv2_pad: 1, delay_tokens: 6, streaming: 1,
      step_samples: 1280, chunk_mel_len: 8, stft_left_overlap: 320, stft_right_lookahead: 40, mel_skip_frames: 2,
      n_layers: 2, n_heads: 4, n_kv_heads: 2, head_dim: 16, hidden_dim: 128, rope_theta: 1e6, norm_eps: 1e-5, ada_t_cond_dim: 32,
      enc_n_layers: 2, enc_n_heads: 4, enc_head_dim: 16, enc_hidden_dim: 128, global_log_mel_max: 1.5,
      n_left_pad_tokens: 32, n_right_pad_tokens: 17, bos_id: 1, eos_id: 2, streaming_pad_id: 32, streaming_word_id: 33,
      weight_dtype: options.dtype, quant: options.quant, group_size: options.groupSize, embedding_quant: options.quant === 'none' ? 'none' : '8w',
      format_version: 1,
    });
    const quantizedCount = options.quant === 'none' ? 0 : checkpointTensors(presets.tiny).filter((t) => ['linear', 'adapter_out', 'embedding'].includes(t.role)).length;
    expect(report.namedData).toHaveLength(checkpointTensors(presets.tiny).length + quantizedCount);
  });

  test('every weight reads back equal to the checkpoint (quantized ones within s/2)', () => {
    const st = openSafetensors(path.join(ckpt, 'consolidated.safetensors'));
    const ptd = readPtd(fileSource(path.join(out, 'model.ptd')));
    try {
      for (const t of checkpointTensors(presets.tiny)) {
        const entry = ptd.entry(t.name)!;
        expect(entry, t.name).toBeDefined();
        const w = sourceValues(st, t.name);
        const quantized = options.quant !== 'none' && ['linear', 'adapter_out', 'embedding'].includes(t.role);
        if (quantized) {
          const scheme: QuantScheme = t.role === 'embedding' ? '8w' : (options.quant as QuantScheme);
          expect(entry.layout!.scalar_type).toBe(scheme === '8w' ? ScalarType.CHAR : ScalarType.QUINT4X2);
          checkQuantized(ptd, t.name, w, t.shape[0], t.shape[1], options.groupSize, scheme);
        } else if (t.role === 'bias' || t.role === 'norm' || options.dtype === 'fp32') {
          expect(entry.layout!.scalar_type).toBe(ScalarType.FLOAT);
          expect(entry.layout!.sizes).toEqual(t.shape);
          expect(f32FromBytes(ptd.read(t.name))).toEqual(w);
        } else {
          expect(entry.layout!.scalar_type).toBe(ScalarType.BFLOAT16);
          expect(Buffer.from(ptd.read(t.name)).equals(Buffer.from(st.read(t.name)))).toBe(true);
        }
        expect(entry.offset % 128).toBe(0);
      }
    } finally {
      st.close();
      ptd.source.close();
    }
  });
});

describe('random checkpoints', () => {
  test('are deterministic per seed, in the real format, with usable init scales', () => {
    const again = path.join(dir, 'ckpt-again');
    makeCheckpoint(presets.tiny, 1, again);
    expect(readFileSync(path.join(again, 'consolidated.safetensors')).equals(readFileSync(path.join(ckpt, 'consolidated.safetensors')))).toBe(true);
    const other = path.join(dir, 'ckpt-seed2');
    makeCheckpoint(presets.tiny, 2, other);
    expect(readFileSync(path.join(other, 'consolidated.safetensors')).equals(readFileSync(path.join(ckpt, 'consolidated.safetensors')))).toBe(false);
    const params = JSON.parse(readFileSync(path.join(ckpt, 'params.json'), 'utf8'));
    expect(params.multimodal.whisper_model_args.encoder_args.audio_encoding_args.global_log_mel_max).toBe(1.5);
    expect(params.multimodal.whisper_model_args.downsample_args.downsample_factor).toBe(4);
    expect(params.tied_embeddings).toBe(true);
    const st = openSafetensors(path.join(ckpt, 'consolidated.safetensors'));
    try {
      expect(st.tensors.size).toBe(4 + 2 * 13 + 1 + 2 + 1 + 2 * 11 + 1);
      const std = (v: Float32Array, mean = 0) => Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length);
      expect(std(sourceValues(st, 'mm_streams_embeddings.embedding_module.tok_embeddings.weight'))).toBeCloseTo(0.02, 2);
      expect(std(sourceValues(st, 'layers.0.feed_forward.w2.weight'))).toBeCloseTo(1 / Math.sqrt(128), 2);
      const norm = sourceValues(st, 'norm.weight');
      expect(norm.reduce((a, b) => a + b, 0) / norm.length).toBeCloseTo(1, 1);
      expect([...st.tensors.values()].every((t) => t.dtype === 'BF16')).toBe(true);
    } finally {
      st.close();
    }
  });

  test('the full preset has the real 711 tensors and shapes', () => {
    const tensors = checkpointTensors(presets.full);
    expect(tensors).toHaveLength(711);
    const shapes = Object.fromEntries(tensors.map((t) => [t.name, t.shape]));
    expect(shapes['mm_streams_embeddings.embedding_module.whisper_encoder.conv_layers.0.conv.weight']).toEqual([1280, 128, 3]);
    expect(shapes['mm_streams_embeddings.embedding_module.whisper_encoder.transformer.layers.31.attention.wq.weight']).toEqual([2048, 1280]);
    expect(shapes['mm_streams_embeddings.embedding_module.audio_language_projection.0.weight']).toEqual([3072, 5120]);
    expect(shapes['mm_streams_embeddings.embedding_module.tok_embeddings.weight']).toEqual([131072, 3072]);
    expect(shapes['layers.25.attention.wk.weight']).toEqual([1024, 3072]);
    expect(shapes['layers.25.ada_rms_norm_t_cond.0.weight']).toEqual([32, 3072]);
    const params = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    expect(params / 1e9).toBeCloseTo(4.4, 1);
  });
});

describe('pack failures are clear and leave nothing behind', () => {
  function brokenCheckpoint(name: string, edit: (specs: { name: string; dtype: 'BF16'; shape: number[] }[]) => typeof specs): string {
    const broken = path.join(dir, name);
    mkdirSync(broken, { recursive: true });
    copyFileSync(path.join(ckpt, 'params.json'), path.join(broken, 'params.json'));
    copyFileSync(path.join(ckpt, 'tekken.json'), path.join(broken, 'tekken.json'));
    const st = openSafetensors(path.join(ckpt, 'consolidated.safetensors'));
    const specs = edit([...st.tensors.values()].map((t) => ({ name: t.name, dtype: 'BF16' as const, shape: t.shape })));
    writeSafetensors(path.join(broken, 'consolidated.safetensors'), specs, (spec, emit) => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      emit(new Uint8Array(2 * n));
    });
    st.close();
    return broken;
  }

  async function packFails(checkpoint: string, extra: string[] = []): Promise<{ err: string; out: string }> {
    const out = path.join(dir, `failed-${path.basename(checkpoint)}-${extra.join('')}`);
    const cli = captureIo();
    expect(await runCli(['pack', '--checkpoint', checkpoint, '--out', out, ...extra], cli.io)).toBe(1);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    return { err: cli.err(), out };
  }

  test('a missing tensor', async () => {
    const broken = brokenCheckpoint('missing', (s) => s.filter((t) => t.name !== 'layers.1.feed_forward.w3.weight'));
    const { err } = await packFails(broken);
    expect(err).toBe('voxtral pack: checkpoint: tensor "layers.1.feed_forward.w3.weight" is missing from consolidated.safetensors\n');
  });

  test('a tensor with the wrong shape', async () => {
    const broken = brokenCheckpoint('shape', (s) => s.map((t) => (t.name === 'layers.0.attention.wk.weight' ? { ...t, shape: [64, 64] } : t)));
    const { err } = await packFails(broken);
    expect(err).toContain('tensor "layers.0.attention.wk.weight" has shape [64, 64] but params.json implies [32, 64]');
    expect(err.split('\n')).toHaveLength(2);
  });

  test('an unexpected tensor, a bad group size, a missing checkpoint, bad flags', async () => {
    const extra = brokenCheckpoint('extra', (s) => [...s, { name: 'output.weight', dtype: 'BF16', shape: [4, 4] }]);
    expect((await packFails(extra)).err).toContain('unexpected tensor "output.weight"');
    expect((await packFails(ckpt, ['--quant', '8w', '--group-size', '48'])).err).toContain('group size 48 does not divide the input dimension 64');
    expect((await packFails(path.join(dir, 'nope'))).err).toMatch(/params\.json not found/);
    expect((await packFails(ckpt, ['--quant', '3w'])).err).toContain('--quant must be one of none, 8w, 4w');
    expect((await packFails(ckpt, ['--bogus'])).err).toMatch(/Unknown option '--bogus'/);
  });

  test('a truncated safetensors file', async () => {
    const broken = path.join(dir, 'truncated');
    mkdirSync(broken, { recursive: true });
    for (const f of ['params.json', 'tekken.json']) copyFileSync(path.join(ckpt, f), path.join(broken, f));
    const bytes = readFileSync(path.join(ckpt, 'consolidated.safetensors'));
    await import('node:fs').then((fs) => fs.writeFileSync(path.join(broken, 'consolidated.safetensors'), bytes.subarray(0, bytes.length - 100)));
    expect((await packFails(broken)).err).toMatch(/runs past the end of the file \(truncated\?\)/);
  });

  test('the library throws ModelFormatError, not a generic error', () => {
    expect(() => pack({ checkpointDir: path.join(dir, 'nope'), outDir: path.join(dir, 'x'), dtype: 'bf16', quant: 'none', groupSize: 32 })).toThrow(ModelFormatError);
  });
});

describe('float32 and float16 source checkpoints', () => {
  test('F32 sources pack exactly to fp32 and round to the same bf16; F16 sources are accepted', () => {
    for (const dtype of ['F32', 'F16'] as const) {
      const wide = path.join(dir, `ckpt-${dtype}`);
      mkdirSync(wide, { recursive: true });
      for (const f of ['params.json', 'tekken.json']) copyFileSync(path.join(ckpt, f), path.join(wide, f));
      const st = openSafetensors(path.join(ckpt, 'consolidated.safetensors'));
      writeSafetensors(path.join(wide, 'consolidated.safetensors'), [...st.tensors.values()].map((t) => ({ name: t.name, dtype, shape: t.shape })), (spec, emit) => {
        const v = sourceValues(st, spec.name);
        if (dtype === 'F32') emit(new Uint8Array(v.buffer));
        else emit(new Uint8Array(Uint16Array.from(v, (x) => f32ToHalfBits(x)).buffer));
      });
      const out = path.join(dir, `model-from-${dtype}`);
      pack({ checkpointDir: wide, outDir: out, dtype: 'bf16', quant: 'none', groupSize: 32 });
      const ptd = readPtd(fileSource(path.join(out, 'model.ptd')));
      try {
        const name = 'layers.0.feed_forward.w1.weight';
        const packed = bf16BytesToF32(ptd.read(name));
        const expected = dtype === 'F32' ? sourceValues(st, name) : Float32Array.from(sourceValues(st, name), (x) => bf16BitsToF32(f32ToBf16Bits(halfBitsToF32(f32ToHalfBits(x)))));
        expect(packed).toEqual(expected);
      } finally {
        ptd.source.close();
        st.close();
      }
    }
  });
});

describe('an independently written checkpoint packs too', () => {
  test('the reference fixtures checkpoint (numpy writer) packs and inspects as runnable', async () => {
    const ref = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/reference/tiny/checkpoint');
    const out = path.join(dir, 'ref-model');
    pack({ checkpointDir: ref, outDir: out, dtype: 'fp32', quant: 'none', groupSize: 32 });
    const cli = captureIo();
    expect(await runCli(['inspect', path.join(out, 'model.pte'), '--json'], cli.io)).toBe(0);
    expect(JSON.parse(cli.out()).runnable).toBe(true);
  });
});
