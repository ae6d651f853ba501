import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { luminance, parseColor, withAlpha } from '../../../webview/color';

describe('theme color strings', () => {
  it('parses hex and rgb() forms', () => {
    assert.deepEqual(parseColor('#3794ff'), { r: 55, g: 148, b: 255, a: 1 });
    assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColor('#00000080'), { r: 0, g: 0, b: 0, a: 128 / 255 });
    assert.deepEqual(parseColor('rgba(204, 204, 204, 0.5)'), { r: 204, g: 204, b: 204, a: 0.5 });
    assert.deepEqual(parseColor('rgb(10 20 30 / 25%)'), { r: 10, g: 20, b: 30, a: 0.25 });
    assert.equal(parseColor('var(--x)'), null);
    assert.equal(parseColor('#12345'), null);
  });

  it('multiplies alpha, and leaves what it cannot parse alone', () => {
    assert.equal(withAlpha('#3794ff', 0.28), 'rgba(55, 148, 255, 0.28)');
    assert.equal(withAlpha('rgba(204, 204, 204, 0.5)', 0.5), 'rgba(204, 204, 204, 0.25)');
    assert.equal(withAlpha('transparent', 0.5), 'transparent');
  });

  it('tells light from dark backgrounds', () => {
    assert.ok(luminance('#ffffff')! > 0.9);
    assert.ok(luminance('#1f1f1f')! < 0.05);
  });
});
