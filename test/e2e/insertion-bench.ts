// Insertion latency under a real X server (Xvfb + openbox + headful Chromium textarea), printed as
// figures (no thresholds: docs/benchmarks.md, "Dictating into other apps", has the command).
//   - hotkey: xdotool keydown → the coordinator's hotkeyDown (uiohook), including xdotool's start;
//   - paste: pasteText() call → text visible in the textarea, and → clipboard restored;
//   - live typing: pieces arriving at the model's pace (one per 80 ms) → how far typing lags
//     (watched by the hook, as in the app).

import { chromium } from 'playwright-core';
import { HotkeyService, loadUiohook, probeHook } from '../../electron/core/hotkey';
import { detectPlatformInsertion, LiveTyper, NodeCommandRunner, pasteText } from '../../electron/core/insertion';
import { startXSession } from './support/x-session';

const RUNS = Number(process.argv[2] ?? 10);
const SENTENCE = 'The quick brown fox jumps over the lazy dog, twice. ';

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `p50 ${at(0.5).toFixed(0)} ms, mean ${mean.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${values.length})`;
}

async function main(): Promise<void> {
  const x = await startXSession();
  process.env.DISPLAY = x.display;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: false, env: x.env,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--window-size=900,500', '--window-position=0,0'] });
  const page = await browser.newPage();
  await page.setContent('<title>bench-target</title><textarea id="t" style="width:800px;height:300px"></textarea>');
  const id = (await x.x('xdotool', ['search', '--sync', '--name', 'bench-target'])).trim().split('\n')[0];
  await x.x('xdotool', ['mousemove', '--window', id, '200', '200', 'click', '1']);
  await page.focus('#t');
  const runner = new NodeCommandRunner(x.env);
  const value = () => page.inputValue('#t');
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  // Hotkey latency.
  let downAt = 0;
  let pressed: (() => void) | null = null;
  const hotkeys = new HotkeyService({
    handlers: { down: () => { downAt = performance.now(); pressed?.(); }, up: () => undefined, toggle: () => undefined, cancel: () => undefined },
    probe: () => probeHook({ env: x.env, platform: 'linux' }), loadHook: loadUiohook, platform: 'linux',
  });
  const status = await hotkeys.apply('Ctrl+Shift+F9');
  // As the app wires it: the hook watches live typing (key by key, paced by its reports).
  // `--no-hook`: as where the hook failed (modifiers released before every batch and paste).
  const keystrokeAudit = process.argv.includes('--no-hook') ? undefined : hotkeys.keystrokes;
  const platform = detectPlatformInsertion({ runner, env: x.env, platform: 'linux', keystrokeAudit });
  if (!platform.available) throw new Error(platform.reason);
  const hotkey: number[] = [];
  for (let i = 0; i < RUNS && status.backend === 'hook'; i++) {
    const seen = new Promise<void>((r) => { pressed = r; });
    const t0 = performance.now();
    await x.x('xdotool', ['keydown', 'ctrl+shift+F9']);
    await seen;
    hotkey.push(downAt - t0);
    await x.x('xdotool', ['keyup', 'ctrl+shift+F9']);
  }
  await page.fill('#t', '');

  // Paste latency.
  await runner.detach('xclip', ['-selection', 'clipboard', '-i'], 'old clipboard');
  const visible: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.fill('#t', '');
    const text = `${SENTENCE}${i}`;
    const t0 = performance.now();
    const done = pasteText(text, platform.keys, { clipboard: platform.clipboard }).then(() => performance.now() - t0);
    await until(async () => (await value()) === text);
    visible.push(performance.now() - t0);
    total.push(await done);
  }

  // Live typing lag at the model's pace.
  const lags: number[] = [];
  let cps = 0;
  for (let i = 0; i < Math.max(1, Math.floor(RUNS / 3)); i++) {
    await page.fill('#t', '');
    const text = SENTENCE.repeat(3).trim();
    const typer = new LiveTyper(platform.keys);
    const pieces = text.match(/.{1,6}/g)!;
    const t0 = performance.now();
    let sent = '';
    for (const piece of pieces) {
      sent += piece;
      typer.update(sent);
      await new Promise((r) => setTimeout(r, 80));
    }
    const lastPieceAt = performance.now();
    await typer.finish(text);
    await until(async () => (await value()) === text);
    lags.push(performance.now() - lastPieceAt);
    cps = text.length / ((performance.now() - t0) / 1000);
  }

  hotkeys.stop();
  console.log(`hotkey press → coordinator: ${hotkey.length ? stats(hotkey) : `not measured (${status.message})`}`);
  console.log(`paste → text visible: ${stats(visible)}`);
  console.log(`paste → clipboard restored: ${stats(total)}`);
  console.log(`live typing, ${SENTENCE.repeat(3).trim().length} chars in 6-char pieces every 80 ms: lag after the last piece ${stats(lags)}; ${cps.toFixed(0)} chars/s overall`);
  await browser.close();
  await x.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
