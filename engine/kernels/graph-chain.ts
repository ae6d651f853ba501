// Two graphs as one, the first's output feeding the second's input: a tensor that would come out
// of one onnxruntime run only to go into the next stays inside (onnxruntime-node copies every
// output into a fresh, zero-filled ArrayBuffer, ~0.3 ms per MB here). Each graph's values and
// symbolic dimensions get its prefix; constants are shared by name and must agree.
// The chained graph is built only when its session is (`chained`): joining two graphs' nodes
// measured 0.6-0.8 ms for the attention block, every layer of every step otherwise.
import type { ConstantSpec, GraphSpec, NodeSpec, ValueSpec } from './onnx-graph';

export const FIRST = 'a.';
export const SECOND = 'b.';

function prefixed(g: GraphSpec, prefix: string, constants: ReadonlySet<string>): GraphSpec {
  const name = (v: string): string => (v === '' || constants.has(v) ? v : prefix + v);
  const value = (v: ValueSpec): ValueSpec => ({ ...v, name: name(v.name), shape: v.shape.map((d) => (typeof d === 'string' ? prefix + d : d)) });
  const node = (n: NodeSpec): NodeSpec => ({ ...n, inputs: n.inputs.map(name), outputs: n.outputs.map(name) });
  return { ...g, inputs: g.inputs.map(value), outputs: g.outputs.map(value), nodes: g.nodes.map(node) };
}

function mergedConstants(a: readonly ConstantSpec[], b: readonly ConstantSpec[]): ConstantSpec[] {
  const byName = new Map(a.map((c) => [c.name, c]));
  for (const c of b) {
    const seen = byName.get(c.name);
    if (!seen) byName.set(c.name, c);
    else if (seen.type !== c.type || JSON.stringify([...seen.values]) !== JSON.stringify([...c.values])) {
      throw new Error(`chained graphs disagree on the constant ${c.name}`);
    }
  }
  return [...byName.values()];
}

/**
 * Each link's `first` output `from` becomes `second`'s input `to`. Inputs and outputs of the
 * result are both graphs' (with FIRST and SECOND prefixed), less the linked ones (an output a
 * link marks `keep` stays an output too).
 */
export function chainGraphs(name: string, first: GraphSpec, second: GraphSpec, links: ReadonlyArray<{ from: string; to: string; keep?: boolean }>): GraphSpec {
  const constants = mergedConstants(first.constants ?? [], second.constants ?? []);
  const names = new Set(constants.map((c) => c.name));
  const a = prefixed(first, FIRST, names);
  const b = prefixed(second, SECOND, names);
  const linked = new Map<string, string>();
  const kept = new Set(links.filter((l) => l.keep).map((l) => FIRST + l.from));
  for (const { from, to } of links) {
    if (!a.outputs.some((v) => v.name === FIRST + from)) throw new Error(`${first.name} has no output ${from}`);
    if (!b.inputs.some((v) => v.name === SECOND + to)) throw new Error(`${second.name} has no input ${to}`);
    linked.set(SECOND + to, FIRST + from);
  }
  const froms = new Set([...linked.values()].filter((v) => !kept.has(v)));
  const relink = (n: NodeSpec): NodeSpec => ({ ...n, inputs: n.inputs.map((v) => linked.get(v) ?? v) });
  return {
    name,
    inputs: [...a.inputs, ...b.inputs.filter((v) => !linked.has(v.name))],
    outputs: [...a.outputs.filter((v) => !froms.has(v.name)), ...b.outputs],
    nodes: [...a.nodes, ...b.nodes.map(relink)],
    constants,
    opset: Math.max(first.opset ?? 17, second.opset ?? 17),
  };
}

/** A chained graph by name, built on demand (onnxruntime sessions are cached by graph name). */
export interface ChainedSpec {
  name: string;
  build(): GraphSpec;
}

export function resolveSpec(spec: GraphSpec | ChainedSpec): GraphSpec {
  return 'build' in spec ? spec.build() : spec;
}

/** chainGraphs, deferred: the name now, the graph when a session first needs it. */
export function chained(first: GraphSpec | ChainedSpec, second: GraphSpec | ChainedSpec, links: ReadonlyArray<{ from: string; to: string; keep?: boolean }>): ChainedSpec {
  const name = `chain(${first.name},${second.name})`;
  return { name, build: () => chainGraphs(name, resolveSpec(first), resolveSpec(second), links) };
}
