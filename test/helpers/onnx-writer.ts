// A minimal ONNX (protobuf) writer: just the ModelProto fields a small inference graph
// needs. Field numbers are from onnx/onnx.proto (ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).

type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const intField = (no: number, v: number | bigint): Field => Uint8Array.from([...varint(no << 3), ...varint(v)]);
const bytesField = (no: number, bytes: Uint8Array): Field => concat([Uint8Array.from([...varint((no << 3) | 2), ...varint(bytes.length)]), bytes]);
const strField = (no: number, s: string): Field => bytesField(no, new TextEncoder().encode(s));
const msg = (no: number, fields: readonly Field[]): Field => bytesField(no, concat(fields));

/** ONNX TensorProto.DataType values used here. */
export const FLOAT = 1;
/** ONNX int64 element type. */
export const INT64 = 7;

/** A graph node. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly ints?: Readonly<Record<string, number>>;
}

/** A constant tensor. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A graph input or output; dims are numbers or symbolic names. */
export interface OnnxValue {
  readonly name: string;
  readonly elemType: number;
  readonly dims: readonly (number | string)[];
}

function valueInfo(no: number, v: OnnxValue): Field {
  const dims = v.dims.map((d) => msg(1, [typeof d === 'number' ? intField(1, d) : strField(2, d)]));
  const tensorType = msg(1, [intField(1, v.elemType), msg(2, dims)]);
  return msg(no, [strField(1, v.name), msg(2, [tensorType])]);
}

/** Serialises a single-graph model (IR 8, default-domain opset `opset`). */
export function encodeOnnxModel(graph: {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly opset?: number;
}): Uint8Array {
  const nodes = graph.nodes.map((n, i) => msg(1, [
    ...n.inputs.map((s) => strField(1, s)),
    ...n.outputs.map((s) => strField(2, s)),
    strField(3, `n${i}_${n.op}`),
    strField(4, n.op),
    ...Object.entries(n.ints ?? {}).map(([name, v]) => msg(5, [strField(1, name), intField(3, v), intField(20, 2 /* INT */)])),
  ]));
  const inits = graph.initializers.map((t) => msg(5, [
    ...t.dims.map((d) => intField(1, d)),
    intField(2, t.data instanceof Float32Array ? FLOAT : INT64),
    strField(8, t.name),
    bytesField(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
  ]));
  const g = msg(7, [
    ...nodes,
    strField(2, graph.name),
    ...inits,
    ...graph.inputs.map((v) => valueInfo(11, v)),
    ...graph.outputs.map((v) => valueInfo(12, v)),
  ]);
  return concat([
    intField(1, 8),
    strField(2, 'switchyard-test'),
    g,
    msg(8, [strField(1, ''), intField(2, graph.opset ?? 13)]),
  ]);
}
