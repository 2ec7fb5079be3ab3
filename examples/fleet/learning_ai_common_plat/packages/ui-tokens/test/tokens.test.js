import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveColor, space, contrastRatio, cssVariables, toCss, themes } from '../src/index.js';

test('resolveColor and space', () => {
  assert.equal(resolveColor('brand.500'), '#2f6bff');
  assert.equal(resolveColor('#abcdef'), '#abcdef');
  assert.throws(() => resolveColor('brand.999'), RangeError);
  assert.equal(space(4), '16px');
  assert.throws(() => space(1.5), RangeError);
});

test('contrast ratio', () => {
  assert.equal(Math.round(contrastRatio('#ffffff', '#000000')), 21);
  assert.equal(contrastRatio('#777777', '#777777'), 1);
});

test('text colors meet WCAG AA on their background in every theme', () => {
  for (const [name, theme] of Object.entries(themes)) {
    const ratio = contrastRatio(resolveColor(theme.text), resolveColor(theme.background));
    assert.ok(ratio >= 4.5, `${name}: ${ratio.toFixed(2)}`);
  }
});

test('css variables', () => {
  const vars = cssVariables('dark');
  assert.equal(vars['--bl-color-background'], '#121821');
  assert.equal(vars['--bl-space-4'], '16px');
  assert.equal(toCss(':root', { '--a': '1' }), ':root {\n  --a: 1;\n}\n');
  assert.throws(() => cssVariables('sepia'), RangeError);
});
