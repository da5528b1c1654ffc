// Renders build/icon.svg into every icon the installers need, and commits nothing by itself:
//   build/icons/<N>x<N>.png  (N = 16 … 1024; Linux icon set, tray/window icons, source of the others)
//   build/icon.ico           (Windows: 16–256, BMP for small sizes, PNG at 256, via ImageMagick)
//   build/icon.icns          (macOS: PNG entries in Apple's container, written here)
// Rendering uses Debian's Chromium through playwright-core because ImageMagick's built-in SVG
// renderer drops gradients. Run after editing the SVG: `node build/make-icons.mjs`.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeIcns, ICNS_ENTRIES } from './icns.mjs';

const buildDir = path.dirname(fileURLToPath(import.meta.url));
const iconsDir = path.join(buildDir, 'icons');
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function renderPngs(svg) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const size of PNG_SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      const sized = svg.replace('<svg ', `<svg style="display:block;width:${size}px;height:${size}px" `);
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
      await page.screenshot({ path: pngPath(size), omitBackground: true });
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

function pngPath(size) {
  return path.join(iconsDir, `${size}x${size}.png`);
}

function writeIco() {
  execFileSync('convert', [...ICO_SIZES.map(pngPath), path.join(buildDir, 'icon.ico')]);
}

function writeIcns() {
  const entries = ICNS_ENTRIES.map((e) => ({ type: e.type, png: readFileSync(pngPath(e.pixels)) }));
  writeFileSync(path.join(buildDir, 'icon.icns'), encodeIcns(entries));
}

mkdirSync(iconsDir, { recursive: true });
await renderPngs(readFileSync(path.join(buildDir, 'icon.svg'), 'utf8'));
writeIco();
writeIcns();
console.log(`icons written to ${path.relative(process.cwd(), buildDir)}/`);
