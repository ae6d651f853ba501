// Argument checks shared by every backend, so a wrong shape fails the same way everywhere.
import { OctetError } from '../errors';
import type { DfpMatrix } from '../quant/dfp';
import type { GemmDims, LinearForwardInput, MatmulLayout } from './backend';
import { MAX_OUTLIER_COLUMNS } from './backend';

export function checkDims(dims: GemmDims): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new OctetError('shape-mismatch', `GEMM dimension ${name} must be a positive integer, got ${v}`);
  }
}

export function checkOperand(len: number, rows: number, cols: number, what: string): void {
  if (len !== rows * cols) {
    throw new OctetError('shape-mismatch', `${what}: expected ${rows} x ${cols} = ${rows * cols} elements, got ${len}`);
  }
}

export function checkMatmul(aLen: number, bLen: number, dims: GemmDims, layout: MatmulLayout): void {
  checkDims(dims);
  const { m, k, n } = dims;
  checkOperand(aLen, layout === 'TN' ? k : m, layout === 'TN' ? m : k, `A (${layout})`);
  checkOperand(bLen, layout === 'NT' ? n : k, layout === 'NT' ? k : n, `B (${layout})`);
}

export function checkLinearForward({ x, w, bias }: LinearForwardInput): void {
  const { rows: m, cols: k } = x.inlier;
  if (w.cols !== k) throw new OctetError('shape-mismatch', `weight has ${w.cols} input features, activation has ${k}`);
  if (w.bits > 8 || x.inlier.bits > 8) throw new OctetError('bits-out-of-range', 'int8 GEMM operands must have at most 8 bits');
  if (bias && bias.length !== w.rows) throw new OctetError('shape-mismatch', `bias has ${bias.length} elements, weight has ${w.rows} outputs`);
  const o = x.outlier;
  if (o) {
    const c = o.columns.length;
    if (c > MAX_OUTLIER_COLUMNS) {
      throw new OctetError('k-too-large', `${c} outlier columns exceed the ${MAX_OUTLIER_COLUMNS} an int32 accumulator holds exactly; raise the threshold`);
    }
    checkOperand(o.hi.length, m, c, 'outlier hi');
    checkOperand(o.lo.length, m, c, 'outlier lo');
    for (let j = 0; j < c; j++) {
      if (o.columns[j] < 0 || o.columns[j] >= k) throw new OctetError('shape-mismatch', `outlier column ${o.columns[j]} outside [0, ${k})`);
    }
  }
}

export function requirePerTensor(m: DfpMatrix, what: string): void {
  if (m.exponents.length !== 1) {
    throw new OctetError('invalid-argument', `${what} must have one exponent: its scale would vary along the contraction`);
  }
}
