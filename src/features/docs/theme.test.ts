import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandPalette, contrastRatio, parseHexColor, themeStylesheet, toHex } from './theme.ts';

const lightSurface = parseHexColor('#f5f5f4');
const darkSurface = parseHexColor('#252220');

function ratio(a: string, b: [number, number, number] | null): number {
  const rgb = parseHexColor(a);
  if (!rgb || !b) throw new Error('bad colour');
  return contrastRatio(rgb, b);
}

describe('brand palette', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([255, 255, 255], [255, 255, 255])).toBeCloseTo(1, 5);
    expect(ratio('#c2410c', [255, 255, 255])).toBeCloseTo(5.18, 1);
  });

  it('keeps the default orange as it is in the light theme and lightens it for the dark one', () => {
    const p = brandPalette('#c2410c');
    expect(p).toEqual({ brand: '#c2410c', onBrand: '#ffffff', textLight: '#c2410c', textDark: p.textDark });
    expect(p.textDark).not.toBe('#c2410c');
    expect(ratio(p.textDark, darkSurface)).toBeGreaterThanOrEqual(4.5);
  });

  it('derives text colours with AA contrast from any brand colour', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), (rgb) => {
        const p = brandPalette(toHex(rgb));
        expect(ratio(p.textLight, lightSurface)).toBeGreaterThanOrEqual(4.5);
        expect(ratio(p.textDark, darkSurface)).toBeGreaterThanOrEqual(4.5);
        // the text on a primary button is the better of white and near-black
        const other = p.onBrand === '#ffffff' ? '#1c1917' : '#ffffff';
        expect(ratio(p.onBrand, rgb) + 1e-9).toBeGreaterThanOrEqual(Math.min(4.5, ratio(other, rgb)));
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to the default colour for anything that is not a hex colour', () => {
    expect(themeStylesheet('red; } body { display:none')).toContain('--brand:#c2410c;');
    expect(themeStylesheet('#ABCDEF')).toContain('--brand:#abcdef;');
  });
});
