"""PyTorch peer of deltagpu's training benchmark: an MLP (ReLU hidden layers, softmax + cross-entropy), plain
SGD, on the data set the harness wrote (deltagpu_torch.read_raw), epochs timed as bench/training.ts does.

  eval "$(bash bench/pytorch/setup.sh --env)"
  "$DELTAGPU_PYTHON" bench/pytorch/mlp.py --data PREFIX [--layers 784,128,10] [--batches 64,256] [--epochs 3]
      [--lr 0.1] [--threads N]

Prints one JSON object (bench/training.ts's BackendRun: backend, device, runs[], runtime) on stdout.
"""
import argparse
import json
import sys

import torch
from torch import nn

from deltagpu_torch import configure, describe, read_raw, runtime_info, timed_run


def mlp(sizes):
    layers = []
    for k in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[k], sizes[k + 1]))
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)  # the softmax is inside CrossEntropyLoss, as in deltagpu's fused output δ


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="prefix of PREFIX.json / PREFIX.x / PREFIX.y")
    p.add_argument("--layers", default="784,128,10")
    p.add_argument("--batches", default="64,256")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    sizes = [int(s) for s in a.layers.split(",")]
    if len(sizes) < 2 or min(sizes) < 1:
        p.error("--layers: at least two positive sizes, e.g. 784,128,10")
    if a.epochs < 2:
        p.error("--epochs must be ≥ 2 (the first is a warm-up)")
    configure(a.threads or None)
    x, y, classes = read_raw(a.data)
    if x.shape[1] != sizes[0] or classes != sizes[-1]:
        p.error(f"--layers {a.layers} does not fit the data ({x.shape[1]} inputs, {classes} classes)")
    info = runtime_info()
    runs = []
    for b in (int(s) for s in a.batches.split(",")):
        def make():
            model = mlp(sizes)
            return model, torch.optim.SGD(model.parameters(), lr=a.lr), nn.CrossEntropyLoss()

        run = timed_run(make, x, y, b, a.epochs)
        print(f"pytorch batch {b}: epochs {', '.join(f'{s:.2f}' for s in run['epochSeconds'])} s", file=sys.stderr)
        runs.append(run)
    print(json.dumps({"backend": "pytorch", "device": describe(info), "runs": runs, "runtime": info}))


if __name__ == "__main__":
    main()
