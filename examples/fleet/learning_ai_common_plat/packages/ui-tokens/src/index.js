import { palette, themes, resolveColor, luminance } from './colors.js';
import { spacing, radii, fontSizes, space } from './spacing.js';

export { palette, themes, resolveColor, luminance, spacing, radii, fontSizes, space };

/** WCAG contrast ratio between two hex colors (1..21). */
export function contrastRatio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Flatten tokens into `--bl-*` CSS custom properties for a theme. */
export function cssVariables(theme = 'light') {
  const semantic = themes[theme];
  if (!semantic) throw new RangeError(`Unknown theme: ${theme}`);
  const vars = {};
  for (const [name, ref] of Object.entries(semantic)) vars[`--bl-color-${name}`] = resolveColor(ref);
  for (const [step, value] of Object.entries(spacing)) vars[`--bl-space-${step}`] = value;
  for (const [name, value] of Object.entries(radii)) vars[`--bl-radius-${name}`] = value;
  for (const [name, value] of Object.entries(fontSizes)) vars[`--bl-font-${name}`] = value;
  return vars;
}

export function toCss(selector, vars) {
  const body = Object.entries(vars).map(([k, v]) => `  ${k}: ${v};`).join('\n');
  return `${selector} {\n${body}\n}\n`;
}
