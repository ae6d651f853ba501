// Row-wise softmax over a [rows x cols] row-major matrix.
//
// Stability: each row is shifted by its max before exp, so exp never overflows and the largest
// term is exactly 1 (the sum is >= 1, never 0). A row whose max is -Infinity (every entry masked
// with -Infinity) has no defined softmax; it is written as all zeros rather than NaN so one fully
// masked row cannot poison a whole batch through the backward pass.

import { requireDims, requireLen } from './check';

const OP = 'softmax';

/** Softmax of one row x[o .. o+cols) into out[o ..). Shared with attention and the loss. */
export function softmaxRow(out: Float32Array, x: Float32Array, o: number, cols: number): void {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = x[o + j];
    if (v > max) max = v;
  }
  if (max === -Infinity) {
    for (let j = 0; j < cols; j++) out[o + j] = 0;
    return;
  }
  // Exponentials are summed in float64 (JS numbers) and written once; the division uses the
  // float32-stored exps, so each output row sums to 1 within float32 rounding.
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const e = Math.exp(x[o + j] - max);
    out[o + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < cols; j++) out[o + j] *= inv;
}

/** out = softmax(x) per row. `out` may alias `x`. */
export function softmaxForward(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
  requireDims(OP, { rows, cols });
  requireLen(OP, 'out', out, rows * cols);
  requireLen(OP, 'x', x, rows * cols);
  for (let r = 0; r < rows; r++) softmaxRow(out, x, r * cols, cols);
}

/**
 * dx = y * (dout - sum(dout * y)) per row, with y the forward output. `dx` may alias `dout`
 * (the row dot product is taken before any dx of that row is written).
 */
export function softmaxBackward(
  dx: Float32Array,
  dout: Float32Array,
  y: Float32Array,
  rows: number,
  cols: number,
): void {
  requireDims(OP, { rows, cols });
  const n = rows * cols;
  requireLen(OP, 'dx', dx, n);
  requireLen(OP, 'dout', dout, n);
  requireLen(OP, 'y', y, n);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dout[o + j] * y[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dout[o + j] - dot);
  }
}
