// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DictationStatus } from '../../../electron/common/ipc-contract';
import { OverlayView } from '../../../renderer/overlay/OverlayView';
import { INITIAL_OVERLAY, MAX_OVERLAY_CHARS, reduceOverlay, tail, type OverlayEvent, type OverlayModel } from '../../../renderer/overlay/overlay-model';

const status = (state: DictationStatus['state'], message?: string): OverlayEvent => ({
  type: 'state',
  status: { state, since: 0, sessionId: 's1', source: 'mic', error: message ? { code: 'engine', message } : null },
});
const partial = (text: string): OverlayEvent => ({ type: 'partial', partial: { sessionId: 's1', appended: '', text, tokenIds: [] } });
const run = (...events: OverlayEvent[]): OverlayModel => events.reduce(reduceOverlay, INITIAL_OVERLAY);

afterEach(cleanup);

describe('overlay model', () => {
  it('follows a dictation: loading, listening with live text and level, finishing, gone when idle', () => {
    expect(run(status('loading')).phase).toBe('loading');
    const listening = run(status('loading'), status('listening'), partial(' Hello wor'), { type: 'level', level: 0.4 });
    expect(listening).toMatchObject({ phase: 'listening', text: 'Hello wor', level: 0.4 });
    expect(reduceOverlay(listening, status('finishing'))).toMatchObject({ phase: 'finishing', text: 'Hello wor', level: 0 });
    expect(reduceOverlay(listening, status('idle'))).toEqual(INITIAL_OVERLAY);
  });

  it('follows the speech indicator while listening only', () => {
    const speech = (speaking: boolean): OverlayEvent => ({ type: 'speech', speech: { sessionId: 's1', speaking } });
    expect(run(status('listening'), speech(true)).speaking).toBe(true);
    expect(run(status('listening'), speech(true), speech(false)).speaking).toBe(false);
    expect(run(status('loading'), speech(true)).speaking).toBe(false);
    expect(run(status('listening'), speech(true), status('finishing')).speaking).toBe(false);
  });

  it('shows start-on-speech waiting while idle and armed, then the dictation speech starts', () => {
    const idle = (armed: boolean): OverlayEvent => ({
      type: 'state', status: { state: 'idle', since: 0, sessionId: null, source: null, error: null, handsFree: { available: true, reason: null, armed } },
    });
    expect(run(idle(true))).toMatchObject({ phase: 'armed', text: '' });
    expect(run(idle(true), partial('late words')).text).toBe('');
    expect(run(idle(true), status('loading'), status('listening'), partial(' Hi'))).toMatchObject({ phase: 'listening', text: 'Hi' });
    expect(run(status('listening'), status('finishing'), idle(true)).phase).toBe('armed');
    expect(run(idle(true), idle(false))).toEqual(INITIAL_OVERLAY);
    render(<OverlayView model={run(idle(true))} />);
    expect(screen.getByRole('status').textContent).toContain('Waiting for speech');
  });

  it('a new dictation does not show the previous text', () => {
    const after = run(status('listening'), partial('old words'), status('idle'), status('loading'));
    expect(after.text).toBe('');
  });

  it('shows errors with their message', () => {
    expect(run(status('listening'), status('error', 'CUDA out of memory'))).toMatchObject({ phase: 'error', message: 'CUDA out of memory' });
    expect(run(status('listening'), { type: 'error', error: { code: 'engine', message: 'boom', keptText: true, sessionId: 's1' } }).message).toBe('boom');
  });

  it('clamps bad levels and ignores them when not listening', () => {
    expect(run(status('listening'), { type: 'level', level: 7 }).level).toBe(1);
    expect(run(status('listening'), { type: 'level', level: Number.NaN }).level).toBe(0);
    expect(run(status('listening'), { type: 'level', level: '0.5' }).level).toBe(0);
    expect(run(status('loading'), { type: 'level', level: 0.5 }).level).toBe(0);
  });

  it('keeps only the end of long text', () => {
    const long = 'word '.repeat(100).trim();
    const shown = run(status('listening'), partial(long)).text;
    expect(Array.from(shown).length).toBeLessThanOrEqual(MAX_OVERLAY_CHARS);
    expect(shown.startsWith('…')).toBe(true);
    expect(long.endsWith(shown.slice(1))).toBe(true);
    expect(tail('short', 10)).toBe('short');
  });
});

describe('OverlayView', () => {
  it('shows a running dictation\'s notice in place of the text until it expires; none outside a dictation', () => {
    const behind = { type: 'notice', notice: { kind: 'info', message: 'Transcription is 4 s behind your voice' } } as const;
    expect(run(behind).notice).toBeNull(); // nothing runs: not this overlay's business
    const shown = run(status('loading'), status('listening'), partial(' Hello'), behind, partial(' Hello there'));
    expect(shown).toMatchObject({ notice: 'Transcription is 4 s behind your voice', text: 'Hello there' });
    expect(reduceOverlay(shown, status('finishing')).notice).toBe('Transcription is 4 s behind your voice');
    expect(reduceOverlay(shown, { type: 'notice-expired' })).toMatchObject({ notice: null, text: 'Hello there' });
    const next = [status('idle'), status('loading')].reduce(reduceOverlay, shown);
    expect(next.notice).toBeNull(); // the next dictation starts without it
    render(<OverlayView model={shown} />);
    expect(screen.getByRole('status').textContent).toContain('Transcription is 4 s behind your voice');
    expect(screen.getByRole('status').textContent).not.toContain('Hello there');
  });

  it('hints that Escape cancels where the global hotkey works, while loading or listening', () => {
    const desktop = (works: boolean): OverlayEvent => ({ type: 'desktop', desktop: { hotkey: { accelerator: 'F9', label: 'F9', works, holdToTalk: works, message: null, conflicts: [], pasteLast: null }, insertion: null } });
    const listening = run(desktop(true), status('loading'), status('listening'));
    expect(listening.escCancels).toBe(true);
    expect(run(desktop(true), status('listening'), status('idle'), status('loading')).escCancels).toBe(true); // kept across dictations
    expect(run(desktop(false), status('listening')).escCancels).toBe(false);
    render(<OverlayView model={listening} />);
    expect(screen.getByLabelText('Escape cancels').textContent).toBe('Esc');
    cleanup();
    render(<OverlayView model={reduceOverlay(listening, status('finishing'))} />);
    expect(screen.queryByLabelText('Escape cancels')).toBeNull(); // too late to cancel: it is being finished
  });

  it('renders nothing when hidden', () => {
    const { container } = render(<OverlayView model={INITIAL_OVERLAY} />);
    expect(container.innerHTML).toBe('');
  });

  it('shows the state, the level and the live text', () => {
    render(<OverlayView model={{ phase: 'listening', text: 'Hello world', level: 0.25, speaking: true, message: null, notice: null, escCancels: false }} />);
    expect(screen.getByRole('status').className).toContain('overlay--speaking');
    expect(screen.getByRole('status').textContent).toContain('Listening');
    expect(screen.getByRole('status').textContent).toContain('Hello world');
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('0.25');
  });

  it('shows the error message instead of text', () => {
    render(<OverlayView model={{ phase: 'error', text: 'partial', level: 0, speaking: false, message: 'No model is configured', notice: null, escCancels: false }} />);
    expect(screen.getByRole('status').textContent).toContain('No model is configured');
    expect(screen.getByRole('status').textContent).not.toContain('partial');
  });
});
