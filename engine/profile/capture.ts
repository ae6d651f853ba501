// Sees every linear layer's input and output, and every encoder layer's input and output, while
// the model runs its ordinary forward pass.
//
// Why by wrapping instances: the model code (nn/linear.ts, model/encoder-layer.ts) has no hooks,
// and the profiler should not add a branch to the training path for an occasional analysis.
// Each Linear and EncoderLayer instance gets its own `forward` that calls the class's method and
// then reports; removing the own property restores the instance exactly. (Linear.forwardSharedInput
// sees the own property and runs such layers one by one, through it.) The wrappers await the
// hook before returning, because the encoder layer overwrites some outputs in place right after
// (dropout and the residual add into the attention-output and FFN-output products).
import type { BertModel } from '../model/bert-model';
import type { Linear } from '../nn/linear';

export interface CaptureHooks {
  /** x [rows x in] went into `linear`, which returned y [rows x out]. */
  onLinear(linear: Linear, x: Float32Array, rows: number, y: Float32Array): Promise<void>;
  /** Encoder layer `index` took x and returned out, both [rows x hidden]. */
  onEncoderLayer(index: number, x: Float32Array, out: Float32Array): Promise<void>;
}

/** Installs the hooks; returns the function that removes them. */
export function installCapture(model: BertModel, hooks: CaptureHooks): () => void {
  const restores: (() => void)[] = [];
  const wrap = <T extends object>(target: T, replacement: unknown): void => {
    const own = Object.getOwnPropertyDescriptor(target, 'forward');
    Object.defineProperty(target, 'forward', { value: replacement, configurable: true, writable: true });
    restores.push(() => {
      if (own) Object.defineProperty(target, 'forward', own);
      else Reflect.deleteProperty(target, 'forward');
    });
  };
  for (const linear of model.linears.values()) {
    const original = linear.forward;
    wrap(linear, async (x: Float32Array, rows: number): Promise<Float32Array> => {
      const y = await original.call(linear, x, rows);
      await hooks.onLinear(linear, x, rows, y);
      return y;
    });
  }
  model.layers.forEach((layer, index) => {
    const original = layer.forward;
    wrap(layer, async (x: Float32Array, ...rest: unknown[]): Promise<Float32Array> => {
      const out = await (original as (x: Float32Array, ...r: unknown[]) => Promise<Float32Array>).call(layer, x, ...rest);
      await hooks.onEncoderLayer(index, x, out);
      return out;
    });
  });
  return () => {
    for (const r of restores.reverse()) r();
  };
}
