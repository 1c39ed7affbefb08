"""Writes all-MiniLM-L6-v2 (a BERT encoder) as an ONNX graph from its safetensors weights.

Usage: python minilm_to_onnx.py <model dir with config.json + model.safetensors> <out.onnx>

Inputs input_ids, attention_mask, token_type_ids (int64 [batch, seq]) -> last_hidden_state
(float32 [batch, seq, hidden]), the layout transformers.js' feature-extraction pipeline feeds.
Plain ONNX ops only (opset 17: LayerNormalization; GELU spelled with Erf), so onnxruntime's own
graph optimizer fuses attention/GELU/LayerNorm at session creation, as it does for exported
models. Written without torch: torch does not install sanely on these machines, and the graph
of a 6-layer BERT is small enough to state directly.
"""
import json
import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

OPSET = 17
IR_VERSION = 8  # onnxruntime-node 1.2x reads IR <= 10; 8 is enough for opset 17


def build(model_dir: str, out_path: str) -> None:
    cfg = json.load(open(f"{model_dir}/config.json", encoding="utf-8"))
    if cfg.get("model_type") != "bert" or cfg.get("position_embedding_type", "absolute") != "absolute":
        raise SystemExit(f"unsupported config: model_type={cfg.get('model_type')}, position_embedding_type={cfg.get('position_embedding_type')}")
    if cfg.get("hidden_act") != "gelu":
        raise SystemExit(f"unsupported hidden_act {cfg.get('hidden_act')} (this converter writes erf GELU)")
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    head_dim = hidden // heads
    layers = cfg["num_hidden_layers"]
    eps = float(cfg["layer_norm_eps"])
    w = load_file(f"{model_dir}/model.safetensors")
    # some checkpoints prefix every key with "bert."
    if not any(k.startswith("embeddings.") for k in w):
        w = {k[len("bert."):]: v for k, v in w.items() if k.startswith("bert.")}

    inits: list = []
    nodes: list = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def weight(key: str, transpose: bool = False) -> str:
        arr = w[key].astype(np.float32)
        if transpose:  # torch Linear stores [out, in]; MatMul wants [in, out]
            arr = np.ascontiguousarray(arr.T)
        return const(key, arr)

    def node(op: str, inputs: list, name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=f"{name}/{op}", **attrs))
        return name

    def linear(x: str, prefix: str, out: str) -> str:
        mm = node("MatMul", [x, weight(f"{prefix}.weight", transpose=True)], f"{out}/mm")
        return node("Add", [mm, weight(f"{prefix}.bias")], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, weight(f"{prefix}.weight"), weight(f"{prefix}.bias")], out, axis=-1, epsilon=eps)

    # embeddings: word + position (0..seq-1) + token type, then LayerNorm
    seq_len = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), const("one_i64", np.array(1, dtype=np.int64))], "seq_len", axis=0)
    positions = node("Range", [const("zero_i64", np.array(0, dtype=np.int64)), seq_len, "one_i64"], "positions")
    word = node("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "emb/word", axis=0)
    pos = node("Gather", [weight("embeddings.position_embeddings.weight"), positions], "emb/pos", axis=0)
    typ = node("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], "emb/type", axis=0)
    emb = node("Add", [node("Add", [word, pos], "emb/word_pos"), typ], "emb/sum")
    x = layer_norm(emb, "embeddings.LayerNorm", "emb/ln")

    # additive attention bias: 0 where attention_mask is 1, -10000 where it is 0 (padding), [batch, 1, 1, seq]
    mask_f = node("Cast", ["attention_mask"], "mask/f", to=TensorProto.FLOAT)
    inv = node("Sub", [const("one_f", np.array(1.0, dtype=np.float32)), mask_f], "mask/inv")
    bias = node("Mul", [inv, const("neg_big", np.array(-10000.0, dtype=np.float32))], "mask/bias2d")
    mask_bias = node("Unsqueeze", [bias, const("axes_1_2", np.array([1, 2], dtype=np.int64))], "mask/bias")

    split_shape = const("split_heads_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_shape = const("merge_heads_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("attn_scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    inv_sqrt2 = const("inv_sqrt2", np.array(1.0 / math.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))

    for i in range(layers):
        p = f"encoder.layer.{i}"
        L = f"l{i}"
        q = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.query", f"{L}/q"), split_shape], f"{L}/q4")], f"{L}/qt", perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.key", f"{L}/k"), split_shape], f"{L}/k4")], f"{L}/kt", perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.value", f"{L}/v"), split_shape], f"{L}/v4")], f"{L}/vt", perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"{L}/qk"), scale], f"{L}/qk_scaled"), mask_bias], f"{L}/scores")
        probs = node("Softmax", [scores], f"{L}/probs", axis=-1)
        ctx = node("MatMul", [probs, v], f"{L}/ctx")
        ctx = node("Reshape", [node("Transpose", [ctx], f"{L}/ctx_t", perm=[0, 2, 1, 3]), merge_shape], f"{L}/ctx_merged")
        attn = linear(ctx, f"{p}.attention.output.dense", f"{L}/attn_out")
        x1 = layer_norm(node("Add", [attn, x], f"{L}/attn_res"), f"{p}.attention.output.LayerNorm", f"{L}/attn_ln")
        h = linear(x1, f"{p}.intermediate.dense", f"{L}/inter")
        # GELU(h) = 0.5 * h * (1 + erf(h / sqrt(2)))
        erf = node("Erf", [node("Mul", [h, inv_sqrt2], f"{L}/gelu_div")], f"{L}/gelu_erf")
        one_plus = node("Add", [erf, "one_f"], f"{L}/gelu_1p")
        gelu = node("Mul", [node("Mul", [h, one_plus], f"{L}/gelu_mul"), half], f"{L}/gelu")
        out = linear(gelu, f"{p}.output.dense", f"{L}/ffn_out")
        x = layer_norm(node("Add", [out, x1], f"{L}/ffn_res"), f"{p}.output.LayerNorm", f"{L}/out" if i < layers - 1 else "last_hidden_state_ln")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state/Identity"))
    dyn = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(n, TensorProto.INT64, dyn) for n in ("input_ids", "attention_mask", "token_type_ids")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dyn, hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="switchyard bench/models/minilm_to_onnx.py")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python minilm_to_onnx.py <model dir> <out.onnx>")
    build(sys.argv[1], sys.argv[2])
