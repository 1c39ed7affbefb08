"""Reference sentence embeddings for the parity test, independent of the ONNX converter.

Usage: python minilm_reference.py <model dir with config.json, tokenizer.json, model.safetensors>
                                  <sentences.json> <out.json> [max_tokens=256]

A plain numpy forward pass of BERT written from config.json (float64, one sentence at a time,
no padding), mean pooling and L2 normalisation as sentence-transformers does for
all-MiniLM-L6-v2. Tokens come from Hugging Face `tokenizers` (the Rust implementation) reading
tokenizer.json, so the JavaScript tokenizer of transformers.js is checked as well. Shares no code
with minilm_to_onnx.py on purpose: a bug in one is not repeated in the other.
"""
import hashlib
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution): numpy has no erf."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


class Bert:
    def __init__(self, model_dir: str):
        self.cfg = json.load(open(f"{model_dir}/config.json", encoding="utf-8"))
        raw = load_file(f"{model_dir}/model.safetensors")
        self.p = {k.removeprefix("bert."): v.astype(np.float64) for k, v in raw.items()}

    def _ln(self, x: np.ndarray, name: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.cfg["layer_norm_eps"]) * self.p[f"{name}.weight"] + self.p[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.p[f"{name}.weight"].T + self.p[f"{name}.bias"]

    def hidden_states(self, ids: list) -> np.ndarray:
        """Last hidden state [tokens, hidden] of one unpadded sequence (all tokens attended)."""
        c = self.cfg
        n = len(ids)
        nh = c["num_attention_heads"]
        hd = c["hidden_size"] // nh
        x = (self.p["embeddings.word_embeddings.weight"][ids]
             + self.p["embeddings.position_embeddings.weight"][:n]
             + self.p["embeddings.token_type_embeddings.weight"][0])
        x = self._ln(x, "embeddings.LayerNorm")
        for i in range(c["num_hidden_layers"]):
            pre = f"encoder.layer.{i}"
            heads = lambda t: t.reshape(n, nh, hd).transpose(1, 0, 2)  # noqa: E731
            q = heads(self._dense(x, f"{pre}.attention.self.query"))
            k = heads(self._dense(x, f"{pre}.attention.self.key"))
            v = heads(self._dense(x, f"{pre}.attention.self.value"))
            s = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            s = np.exp(s - s.max(-1, keepdims=True))
            a = (s / s.sum(-1, keepdims=True)) @ v
            a = a.transpose(1, 0, 2).reshape(n, nh * hd)
            x = self._ln(self._dense(a, f"{pre}.attention.output.dense") + x, f"{pre}.attention.output.LayerNorm")
            h = self._dense(x, f"{pre}.intermediate.dense")
            h = h * 0.5 * (1.0 + erf(h / math.sqrt(2.0)))
            x = self._ln(self._dense(h, f"{pre}.output.dense") + x, f"{pre}.output.LayerNorm")
        return x

    def embed(self, ids: list) -> np.ndarray:
        v = self.hidden_states(ids).mean(0)
        return v / max(np.linalg.norm(v), 1e-12)


def main() -> None:
    if len(sys.argv) not in (4, 5):
        raise SystemExit("usage: python minilm_reference.py <model dir> <sentences.json> <out.json> [max_tokens]")
    model_dir, sentences_path, out_path = sys.argv[1:4]
    max_tokens = int(sys.argv[4]) if len(sys.argv) == 5 else 256
    raw = open(sentences_path, "rb").read()
    sentences = json.loads(raw)["sentences"]
    tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)
    bert = Bert(model_dir)
    ids = [tok.encode(s).ids for s in sentences]
    vectors = [[round(float(x), 8) for x in bert.embed(i)] for i in ids]
    json.dump({
        "about": "numpy reference (bench/models/minilm_reference.py) of all-MiniLM-L6-v2: float64 BERT forward, mean pooling, L2",
        "sentencesSha256": hashlib.sha256(raw).hexdigest(),
        "maxTokens": max_tokens,
        "sentences": sentences,
        "ids": ids,
        "vectors": vectors,
    }, open(out_path, "w", encoding="utf-8"), ensure_ascii=False)


if __name__ == "__main__":
    main()
