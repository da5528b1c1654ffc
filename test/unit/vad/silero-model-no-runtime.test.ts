// On a system where onnxruntime's native binding cannot load, loading the VAD fails with a clear
// VadModelError (the service then reports hands-free as unavailable); nothing throws at import time.
import { describe, expect, it, vi } from 'vitest';

vi.mock('onnxruntime-node', () => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file');
});

describe('Silero VAD without onnxruntime', () => {
  it('reports the runtime as unavailable, with the reason', async () => {
    const { findSileroModel } = await import('../../../electron/core/vad/model-path');
    const { loadSileroModel, VadModelError } = await import('../../../electron/core/vad/silero-model');
    const err = await loadSileroModel(findSileroModel()!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VadModelError);
    expect((err as Error).message).toMatch(/^onnxruntime-node cannot be loaded on this system: /);
  });

  it('leaves the service answering "unavailable" rather than throwing', async () => {
    const { VoiceActivityService } = await import('../../../electron/core/vad/voice-activity-service');
    const service = new VoiceActivityService();
    expect(await service.load()).toMatchObject({ available: false, reason: expect.stringMatching(/onnxruntime-node cannot be loaded/) });
  });
});
