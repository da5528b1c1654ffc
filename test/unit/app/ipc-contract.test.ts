import { describe, expect, it } from 'vitest';
import {
  CALL_CHANNELS, CALL_NAMES, EVENT_CHANNELS, eventValidators, requestValidators, responseValidators,
  resultValidator, validateAudioPortMessage, validateSettings, validateSettingsPatch,
} from '../../../electron/common/ipc-contract';
import { check } from '../../../electron/common/validate';
import { defaultSettings } from '../../../electron/core/settings/defaults';

describe('ipc contract', () => {
  it('gives every call and event a unique dictate: channel', () => {
    const channels = [...Object.values(CALL_CHANNELS), ...Object.values(EVENT_CHANNELS)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const c of channels) expect(c).toMatch(/^dictate:[a-z-]+:[a-z-]+$/);
    expect(Object.keys(requestValidators).sort()).toEqual([...CALL_NAMES].sort());
    expect(Object.keys(responseValidators).sort()).toEqual([...CALL_NAMES].sort());
  });

  it('accepts the default settings and rejects wrong types, unknown fields and out-of-range values', () => {
    expect(check(validateSettings, defaultSettings()).ok).toBe(true);
    const bad = (mutate: (s: Record<string, any>) => void) => {
      const s = defaultSettings() as unknown as Record<string, any>;
      mutate(s);
      return check(validateSettings, s);
    };
    expect(bad((s) => { s.engine.backend = 'tpu'; })).toEqual({ ok: false, message: expect.stringContaining('engine.backend must be one of auto, cpu, cuda') });
    expect(bad((s) => { s.engine.threads = 1.5; })).toMatchObject({ ok: false, message: expect.stringContaining('engine.threads must be an integer') });
    expect(bad((s) => { s.insertion.extra = 1; })).toMatchObject({ ok: false, message: expect.stringContaining('insertion.extra is not a known field') });
    expect(bad((s) => { s.model.pte = ''; })).toMatchObject({ ok: false, message: expect.stringContaining('model.pte must not be empty') });
    expect(bad((s) => { delete s.showOverlay; })).toMatchObject({ ok: false, message: expect.stringContaining('showOverlay') });
    expect(bad((s) => { s.handsFree.threshold = Number.NaN; })).toMatchObject({ ok: false });
  });

  it('validates settings patches field by field', () => {
    expect(check(validateSettingsPatch, { insertion: { mode: 'type' } })).toEqual({ ok: true, value: { insertion: { mode: 'type' } } });
    expect(check(validateSettingsPatch, {}).ok).toBe(true);
    expect(check(validateSettingsPatch, { insertion: { mode: 'shout' } }).ok).toBe(false);
    expect(check(validateSettingsPatch, { theme: 'dark' }).ok).toBe(false);
    expect(check(validateSettingsPatch, null).ok).toBe(false);
    expect(check(validateSettingsPatch, { model: { pte: 'x'.repeat(5000) } }).ok).toBe(false);
  });

  it('checks call requests, including the ones that take no payload', () => {
    expect(check(requestValidators.getSettings, undefined).ok).toBe(true);
    expect(check(requestValidators.getSettings, { sneaky: true }).ok).toBe(false);
    expect(check(requestValidators.listHistory, { offset: 0, limit: 50 }).ok).toBe(true);
    expect(check(requestValidators.listHistory, { offset: -1, limit: 50 }).ok).toBe(false);
    expect(check(requestValidators.listHistory, { offset: 0, limit: 1e9 }).ok).toBe(false);
    expect(check(requestValidators.inspectModel, { pte: '/m/model.pte', ptd: null }).ok).toBe(true);
    expect(check(requestValidators.inspectModel, { pte: '/m/model.pte' }).ok).toBe(false);
  });

  it('checks results and events', () => {
    const settingsResult = resultValidator(responseValidators.getSettings);
    expect(check(settingsResult, { ok: true, value: defaultSettings() }).ok).toBe(true);
    expect(check(settingsResult, { ok: false, error: { code: 'no-model', message: 'x' } }).ok).toBe(true);
    expect(check(settingsResult, { ok: false, error: { code: 'nope', message: 'x' } }).ok).toBe(false);
    expect(check(settingsResult, { ok: true, value: 3 }).ok).toBe(false);
    expect(check(eventValidators.partial, { sessionId: 's', appended: ' hi', text: 'oh hi', tokenIds: [1, 2] }).ok).toBe(true);
    expect(check(eventValidators.partial, { sessionId: 's', appended: ' hi', text: 'oh hi', tokenIds: [-1] }).ok).toBe(false);
    expect(check(eventValidators.progress, { stage: 'loading-model', fraction: 1.5, jobId: null }).ok).toBe(false);
  });

  it('lets a notice point only to an https page (main opens it in the browser)', () => {
    const notice = (url: string) => check(eventValidators.notice, { kind: 'info', message: 'New version', link: { label: 'Download', url } });
    expect(notice('https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/v0.2.0').ok).toBe(true);
    for (const url of ['http://example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://a b']) {
      expect(notice(url), url).toMatchObject({ ok: false, message: 'link.url must be an https URL' });
    }
    expect(check(eventValidators.notice, { kind: 'info', message: 'plain' }).ok).toBe(true);
  });

  it('accepts audio frames only as bounded Float32Arrays', () => {
    expect(check(validateAudioPortMessage, { type: 'frame', seq: 0, samples: new Float32Array(1280) }).ok).toBe(true);
    expect(check(validateAudioPortMessage, { type: 'end' }).ok).toBe(true);
    expect(check(validateAudioPortMessage, { type: 'frame', seq: 0, samples: [0, 0] }).ok).toBe(false);
    expect(check(validateAudioPortMessage, { type: 'frame', seq: 0, samples: new Float32Array(16_001) }).ok).toBe(false);
    expect(check(validateAudioPortMessage, { type: 'frame', seq: 0, samples: new Float64Array(10) }).ok).toBe(false);
    expect(check(validateAudioPortMessage, { type: 'bogus' }).ok).toBe(false);
  });

  it('does not let a "__proto__" key reach an object prototype', () => {
    const summary = JSON.parse('{"pte":"/a.pte","ptd":null,"sizeBytes":1,"methods":[],"config":{"__proto__":{"polluted":1}},"weightDtype":null,"quant":null,"runnable":false,"reason":"x"}');
    const result = check(responseValidators.inspectModel, summary);
    expect(result.ok).toBe(false); // the nested object is not a scalar
    const flat = JSON.parse('{"pte":"/a.pte","ptd":null,"sizeBytes":1,"methods":[],"config":{"__proto__":"x"},"weightDtype":null,"quant":null,"runnable":false,"reason":"x"}');
    const ok = check(responseValidators.inspectModel, flat);
    expect(ok.ok && Object.getPrototypeOf(ok.value.config)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('voice activity in the contract', () => {
  it('validates the speech event and the start-on-speech setting', () => {
    expect(check(eventValidators.speech, { sessionId: 's1', speaking: true }).ok).toBe(true);
    expect(check(eventValidators.speech, { sessionId: null, speaking: false }).ok).toBe(true);
    expect(check(eventValidators.speech, { sessionId: 's1', speaking: 'yes' }).ok).toBe(false);
    expect(check(validateSettingsPatch, { handsFree: { startOnSpeech: true } }).ok).toBe(true);
    expect(check(validateSettingsPatch, { handsFree: { startOnSpeech: 1 } }).ok).toBe(false);
    expect(defaultSettings().handsFree.startOnSpeech).toBe(false);
  });

  it('validates the user\'s words: optional (settings from before them load), non-empty, bounded', () => {
    expect(defaultSettings().replacements).toEqual({ rules: [], words: [] });
    const older = defaultSettings() as unknown as Record<string, any>;
    delete older.replacements.words;
    expect(check(validateSettings, older).ok).toBe(true);
    expect(check(validateSettingsPatch, { replacements: { words: ['Voxtral', 'GitHub'] } }).ok).toBe(true);
    expect(check(validateSettingsPatch, { replacements: { words: [''] } }).ok).toBe(false);
    expect(check(validateSettingsPatch, { replacements: { words: ['x'.repeat(61)] } }).ok).toBe(false);
    expect(check(validateSettingsPatch, { replacements: { words: Array.from({ length: 501 }, (_, i) => `w${i}`) } }).ok).toBe(false);
    expect(check(validateSettingsPatch, { replacements: { words: 'Voxtral' } }).ok).toBe(false);
  });
});
