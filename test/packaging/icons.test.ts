// The generated icons are what each platform needs: every PNG size, a Windows .ico whose small
// images are BMPs (NSIS rejects PNG-only icons), and an .icns with Apple's full modern set.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIcns, readIco, readPng } from './image-formats';

const buildDir = path.resolve(__dirname, '../../build');
const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

// Apple's OSTypes and the pixel size each must hold (Icon Services, macOS 10.7+).
const ICNS_PIXELS: Record<string, number> = {
  icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512,
};

describe('icons', () => {
  it.each(PNG_SIZES)('build/icons/%ix%i.png is a square RGBA PNG of that size', (size) => {
    const file = path.join(buildDir, 'icons', `${size}x${size}.png`);
    expect(existsSync(file), file).toBe(true);
    expect(readPng(readFileSync(file))).toEqual({ width: size, height: size, hasAlpha: true });
  });

  it('icon.ico holds 16–256 px, BMP below 256 and PNG at 256', () => {
    const entries = readIco(readFileSync(path.join(buildDir, 'icon.ico')));
    expect(entries.map((e) => e.width)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (const e of entries) {
      expect(e.height).toBe(e.width);
      if (e.width === 256) {
        expect(e.format).toBe('png');
        expect(readPng(e.data)).toMatchObject({ width: 256, height: 256 });
      } else {
        expect(e.format).toBe('bmp');
        // BITMAPINFOHEADER: width, then height doubled (colour + AND mask).
        expect([e.data.readInt32LE(4), e.data.readInt32LE(8)]).toEqual([e.width, 2 * e.width]);
      }
    }
  });

  it('icon.icns holds every modern entry with a PNG of the right size', () => {
    const entries = readIcns(readFileSync(path.join(buildDir, 'icon.icns')));
    expect(entries.map((e) => e.type).sort()).toEqual(Object.keys(ICNS_PIXELS).sort());
    for (const e of entries) {
      const px = ICNS_PIXELS[e.type];
      expect(readPng(e.data), e.type).toMatchObject({ width: px, height: px });
    }
  });

  it('the parsers reject damaged files instead of reading past them', () => {
    const icns = readFileSync(path.join(buildDir, 'icon.icns'));
    expect(() => readIcns(icns.subarray(0, icns.length - 10))).toThrow(/length/);
    const ico = readFileSync(path.join(buildDir, 'icon.ico'));
    expect(() => readIco(ico.subarray(0, 200))).toThrow(/overruns/);
    expect(() => readPng(Buffer.from('not a png at all, definitely not'))).toThrow(/not a PNG/);
  });
});
