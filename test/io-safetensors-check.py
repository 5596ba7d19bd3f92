#!/usr/bin/env python3
"""An independent safetensors reader, written from the published layout only
(https://github.com/huggingface/safetensors#format), with nothing but the standard library.

Usage: io-safetensors-check.py FILE
Prints one JSON object: {"metadata": {...}, "tensors": {name: {"shape": [...], "sum": float,
"first": [up to 4 values]}}, "header_len": N}. Exits non-zero with a message on anything off-spec.
"""
import json
import struct
import sys


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        sys.exit(f"header length {n} beyond file of {len(raw)} bytes")
    header_bytes = raw[8:8 + n]
    if (8 + n) % 8 != 0:
        sys.exit(f"data section starts at {8 + n}, not 8-aligned")
    header = json.loads(header_bytes.decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {"metadata": meta, "tensors": {}, "header_len": n}
    covered = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if info["dtype"] != "F32":
            sys.exit(f"{name}: unexpected dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        if begin != covered:
            sys.exit(f"{name}: starts at {begin}, expected {covered} (hole or overlap)")
        count = 1
        for d in info["shape"]:
            count *= d
        if end - begin != 4 * count:
            sys.exit(f"{name}: {end - begin} bytes for shape {info['shape']}")
        values = struct.unpack(f"<{count}f", data[begin:end])
        total = 0.0
        for v in values:  # left-to-right, like the JavaScript side, so the sums agree exactly
            total += v
        out["tensors"][name] = {"shape": info["shape"], "sum": total, "first": list(values[:4])}
        covered = end
    if covered != len(data):
        sys.exit(f"tensors cover {covered} of {len(data)} data bytes")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
