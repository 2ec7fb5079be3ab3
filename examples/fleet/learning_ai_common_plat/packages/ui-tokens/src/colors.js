export const palette = Object.freeze({
  ink: { 50: '#f5f7fa', 100: '#e4e8ee', 500: '#5b6675', 900: '#121821' },
  brand: { 100: '#dbe8ff', 500: '#2f6bff', 700: '#1d48b8' },
  success: { 500: '#1f9d55' },
  warning: { 500: '#d97706' },
  danger: { 500: '#dc2626' },
});

/** Semantic colors per theme, expressed as palette references. */
export const themes = Object.freeze({
  light: { background: 'ink.50', surface: '#ffffff', text: 'ink.900', muted: 'ink.500', accent: 'brand.500' },
  dark: { background: 'ink.900', surface: '#1b2330', text: 'ink.50', muted: 'ink.100', accent: 'brand.100' },
});

/** Resolve "brand.500" to its hex value; literal colors pass through. */
export function resolveColor(ref) {
  if (ref.startsWith('#')) return ref;
  const [family, shade] = ref.split('.');
  const value = palette[family]?.[shade];
  if (!value) throw new RangeError(`Unknown color token: ${ref}`);
  return value;
}

/** WCAG relative luminance of a #rrggbb color. */
export function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
