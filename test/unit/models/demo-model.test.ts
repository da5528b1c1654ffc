import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNativeDictation } from '../../../electron/core/dictation';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { DEMO_MODEL_DIR, DEMO_MODEL_NOTICE, effectiveModel, findDemoModel } from '../../../electron/core/models/demo-model';
import type { Notice, Settings } from '../../../electron/common/ipc-contract';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the embedded demo model', () => {
  it('is found unpacked in a packaged app before the checkout, and only with its weights', () => {
    const resources = mkdtempSync(path.join(os.tmpdir(), 'vxd-res-'));
    dirs.push(resources);
    const dir = path.join(resources, 'app.asar.unpacked', DEMO_MODEL_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.pte'), 'x');
    expect(findDemoModel({ resourcesPath: resources, startDirs: [] })).toBeNull(); // no model.ptd
    writeFileSync(path.join(dir, 'model.ptd'), 'x');
    expect(findDemoModel({ resourcesPath: resources, startDirs: [process.cwd()] })).toEqual({
      pte: path.join(dir, 'model.pte'), ptd: path.join(dir, 'model.ptd'), demo: true,
    });
  });

  it('gives way to the model the user chose', () => {
    const demo = () => ({ pte: '/demo/model.pte', ptd: '/demo/model.ptd', demo: true });
    expect(effectiveModel({ pte: '/mine/model.pte', ptd: null }, demo)).toEqual({ pte: '/mine/model.pte', ptd: null, demo: false });
    expect(effectiveModel({ pte: null, ptd: null }, demo)).toEqual(demo());
    expect(effectiveModel({ pte: null, ptd: null }, () => null)).toBeNull();
  });

  it('is announced in plain words when the app starts with no model chosen, not when one is', async () => {
    for (const chosen of [null, '/mine/model.pte']) {
      const notices: Notice[] = [];
      const settings: Settings = { ...defaultSettings(), model: { pte: chosen, ptd: null } };
      const service = createNativeDictation({ settings: () => settings, notify: (n) => notices.push(n) }, { vad: null, preload: false });
      expect(notices.map((n) => n.message)).toEqual(chosen ? [] : [DEMO_MODEL_NOTICE]);
      await service.dispose();
    }
    expect(DEMO_MODEL_NOTICE).toMatch(/synthetic/);
    // Where the app's own button is, not a command line a packaged app's user has no checkout for.
    expect(DEMO_MODEL_NOTICE).toMatch(/in Settings, or make one there \(Make a model\)/);
  });
});
