// Accumulates the exported model's nodes and initializers in order (ONNX wants nodes
// topologically sorted; appending as the network runs gives that), with one copy of each
// shared constant.
import type { ConstantSpec, ElemType, GraphSpec, NodeSpec, ValueSpec } from '../kernels/onnx-graph';
import type { InlinedGraph } from './inline-graph';

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly constants = new Map<string, ConstantSpec>();

  node(op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): string {
    this.nodes.push({ op, inputs, outputs, ...extra });
    return outputs[0];
  }

  /** An initializer; a name already present must carry the same values (shared constants). */
  constant(name: string, type: ElemType, dims: number[], values: ConstantSpec['values']): string {
    if (!this.constants.has(name)) this.constants.set(name, { name, type, dims, values });
    return name;
  }

  scalar(name: string, value: number, type: ElemType = 'float'): string {
    return this.constant(name, type, [], [value]);
  }

  add(g: InlinedGraph): Record<string, string> {
    for (const c of g.constants) this.constant(c.name, c.type, c.dims, c.values);
    this.nodes.push(...g.nodes);
    return g.outputs;
  }

  /** Op types in first-use order, for the README's operator list and the sidecar. */
  opTypes(): string[] {
    return [...new Set(this.nodes.map((n) => (n.domain ? `${n.domain}.${n.op}` : n.op)))];
  }

  build(name: string, inputs: ValueSpec[], outputs: ValueSpec[], opset: number): GraphSpec {
    return { name, inputs, outputs, nodes: this.nodes, constants: [...this.constants.values()], opset };
  }
}
