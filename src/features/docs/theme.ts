/**
 * The brand colour from site settings becomes a few CSS custom properties (served as /theme.css, since
 * the CSP forbids inline styles). An admin can pick any colour, so the text colours derived from it are
 * adjusted until they keep WCAG AA contrast (4.5:1) on the light and the dark surfaces.
 */

export const defaultBrandColor = '#c2410c';

type Rgb = [number, number, number];

const hexPattern = /^#([0-9a-f]{6})$/i;

// The least contrasting surfaces link-coloured text sits on, per theme (--surface-2 in app.css).
const lightSurface: Rgb = [0xf5, 0xf5, 0xf4];
const darkSurface: Rgb = [0x25, 0x22, 0x20];
const darkText: Rgb = [0x1c, 0x19, 0x17];
const white: Rgb = [255, 255, 255];
const black: Rgb = [0, 0, 0];
const minimumContrast = 4.5;

export function parseHexColor(value: string): Rgb | null {
  const match = hexPattern.exec(value.trim());
  if (!match?.[1]) return null;
  const n = Number.parseInt(match[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex(rgb: Rgb): string {
  return `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance([r, g, b]: Rgb): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

function toHsl([r, g, b]: Rgb): [number, number, number] {
  const [rs, gs, bs] = [r / 255, g / 255, b / 255];
  const max = Math.max(rs, gs, bs);
  const min = Math.min(rs, gs, bs);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === rs ? (gs - bs) / d + (gs < bs ? 6 : 0) : max === gs ? (bs - rs) / d + 2 : (rs - gs) / d + 4;
  return [h / 6, s, l];
}

function fromHsl([h, s, l]: [number, number, number]): Rgb {
  if (s === 0) return [l * 255, l * 255, l * 255];
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const hue = (t: number) => {
    const x = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (x < 1 / 6) return p + (q - p) * 6 * x;
    if (x < 1 / 2) return q;
    if (x < 2 / 3) return p + (q - p) * (2 / 3 - x) * 6;
    return p;
  };
  return [hue(h + 1 / 3) * 255, hue(h) * 255, hue(h - 1 / 3) * 255];
}

/**
 * The colour made lighter or darker, keeping its hue and saturation, until it reads on `surface` at AA
 * contrast; the colour itself when it already does.
 */
function readableOn(color: Rgb, surface: Rgb, direction: 'lighter' | 'darker'): Rgb {
  const [h, s, l] = toHsl(color);
  for (let step = 0; step <= 50; step++) {
    const lightness = direction === 'lighter' ? Math.min(1, l + step * 0.02) : Math.max(0, l - step * 0.02);
    // Rounded to whole channels first: the hex written out is what has to pass.
    const [r, g, b] = fromHsl([h, s, lightness]);
    const candidate: Rgb = [Math.round(r), Math.round(g), Math.round(b)];
    if (contrastRatio(candidate, surface) >= minimumContrast) return candidate;
  }
  return direction === 'lighter' ? white : black;
}

export interface BrandPalette {
  brand: string;
  /** Text and icons on a brand-coloured background (primary buttons). */
  onBrand: string;
  /** Brand-tinted text (links, focus rings) in the light theme. */
  textLight: string;
  /** Brand-tinted text in the dark theme. */
  textDark: string;
}

export function brandPalette(color: string): BrandPalette {
  const rgb = parseHexColor(color) ?? parseHexColor(defaultBrandColor) ?? black;
  const onWhite = contrastRatio(rgb, white);
  const onDark = contrastRatio(rgb, darkText);
  return {
    brand: toHex(rgb),
    onBrand: onWhite >= minimumContrast || onWhite >= onDark ? '#ffffff' : toHex(darkText),
    textLight: toHex(readableOn(rgb, lightSurface, 'darker')),
    textDark: toHex(readableOn(rgb, darkSurface, 'lighter')),
  };
}

/** The stylesheet linked after app.css; it only overrides the brand custom properties. */
export function themeStylesheet(color: string): string {
  const p = brandPalette(color);
  return `:root{--brand:${p.brand};--on-brand:${p.onBrand};--brand-text-light:${p.textLight};--brand-text-dark:${p.textDark}}\n`;
}
