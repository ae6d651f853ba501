// Embeds one of the engine's kernel graphs (engine/kernels/*-graphs.ts) into the exported model,
// so the export computes with exactly the nodes Octet's own inference runs, not a second copy of
// them that could drift. Every value gets the call's prefix; the graph's inputs are bound to
// values of the outer graph; `overrides` replace values the graph would compute (e.g. the weight
// codes, which the export stores as initializers instead of quantizing float weights in-graph);
// nodes nothing needs any more are dropped.
import type { ConstantSpec, GraphSpec, NodeSpec } from '../kernels/onnx-graph';

export interface InlineOptions {
  /** Prefix for every intermediate value, unique per call (e.g. the layer's name). */
  prefix: string;
  /** Graph input name -> outer value name. Inputs that end up unused may be left out. */
  inputs: Record<string, string>;
  /** Graph value name -> outer value name that replaces it (its producing nodes are dropped). */
  overrides?: Record<string, string>;
  /** The graph values the caller wants; their outer names come back in `outputs`. */
  outputs: string[];
}

export interface InlinedGraph {
  nodes: NodeSpec[];
  /** The graph's own constants, named `${graph name}/${name}`: equal across calls, so the builder keeps one copy. */
  constants: ConstantSpec[];
  outputs: Record<string, string>;
}

export function inlineGraph(spec: GraphSpec, o: InlineOptions): InlinedGraph {
  const overrides = o.overrides ?? {};
  const constNames = new Set((spec.constants ?? []).map((c) => c.name));
  const inputNames = new Set(spec.inputs.map((i) => i.name));
  const rename = (name: string): string => {
    if (name === '') return '';
    if (name in overrides) return overrides[name];
    if (inputNames.has(name)) {
      const bound = o.inputs[name];
      if (bound === undefined) throw new Error(`inlineGraph(${spec.name}): input "${name}" is needed but not bound`);
      return bound;
    }
    if (constNames.has(name)) return `${spec.name}/${name}`;
    return `${o.prefix}/${name}`;
  };
  // Walk back from the wanted values: a node stays when something kept needs one of its outputs.
  const needed = new Set(o.outputs);
  const kept: NodeSpec[] = [];
  for (let i = spec.nodes.length - 1; i >= 0; i--) {
    const node = spec.nodes[i];
    if (!node.outputs.some((out) => needed.has(out) && !(out in overrides))) continue;
    kept.push(node);
    for (const input of node.inputs) if (input !== '' && !(input in overrides)) needed.add(input);
  }
  kept.reverse();
  const usedConstants = (spec.constants ?? []).filter((c) => needed.has(c.name));
  return {
    nodes: kept.map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) })),
    constants: usedConstants.map((c) => ({ ...c, name: rename(c.name) })),
    outputs: Object.fromEntries(o.outputs.map((name) => [name, rename(name)])),
  };
}
