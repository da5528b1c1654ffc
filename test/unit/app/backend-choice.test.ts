import { describe, expect, it } from 'vitest';
import { backendResolver } from '../../../electron/core/engine/backend-choice';

describe('backend choice', () => {
  it("'auto' is CUDA where the engine finds a usable GPU, else the CPU; an explicit choice stays", () => {
    let probes = 0;
    const withGpu = backendResolver(() => { probes += 1; return [{ id: 'cpu', available: true }, { id: 'cuda', available: true }]; });
    expect(withGpu('auto')).toBe('cuda');
    expect(withGpu('cpu')).toBe('cpu');
    expect(withGpu('auto')).toBe('cuda');
    expect(probes).toBe(1); // asked once per process
    const withoutGpu = backendResolver(() => [{ id: 'cpu', available: true }, { id: 'cuda', available: false }]);
    expect(withoutGpu('auto')).toBe('cpu');
    expect(withoutGpu('cuda')).toBe('cuda'); // its load says why it cannot run
  });

  it("'auto' is the CPU when the engine cannot be asked (no addon): that load says what is missing", () => {
    const broken = backendResolver(() => { throw new Error('the native engine is not built'); });
    expect(broken('auto')).toBe('cpu');
  });
});
