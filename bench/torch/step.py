#!/usr/bin/python3
"""The PyTorch peer of `npm run bench:train`.

Builds, from an mtsl IR JSON file (compiler/ir/json.ts `irToJson`), the same network
the TensorFlow.js runtime trains, in NCHW, with runtime/pytorch/mtsl_torch.py's `Network`
(the module `mtslc export --format pytorch` ships; its doc gives each layer's semantics;
its parameters are checked per layer and in total against the IR). Then it times training
steps (forward, the file's task losses, backward, Adam with the file's settings) on random
inputs and targets of the file's batch shape, and prints one JSON line with the step times.

Losses (approximately the runtime's, runtime/losses.ts): class-balanced softmax CE
(weights (1-beta)/(1-beta^n_c) from the batch's class counts), RMSE over target > 0,
L1 on unit normals over non-zero targets, balanced BCE on logits (pos_weight p for
positives, 1-p for negatives), MSE; plain CE for classification.

Usage: /usr/bin/python3 bench/torch/step.py IR.json [--steps N] [--warmup N] [--threads N] [--seed N]
       [--device cpu|cuda]

With `--device cuda` the network, inputs and targets live on the GPU and every timed step
ends with `torch.cuda.synchronize()`; the JSON line adds the GPU's name and its peak
allocated memory (the peer of `bench:train`'s webgpu row on a machine with an NVIDIA GPU).
"""

import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

# the network builder is the one `mtslc export --format pytorch` ships
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "runtime", "pytorch"))
from mtsl_torch import Network  # noqa: E402
from train import optimizer_of  # noqa: E402  (the export's train.py: one optimizer builder)


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---- losses (runtime/losses.ts, approximately) ----

def class_balanced_ce(logits, labels, classes, balanced, beta=1 - 1e-3):
    if not balanced:
        return F.cross_entropy(logits, labels)
    counts = torch.bincount(labels.flatten(), minlength=classes).float()
    weights = torch.where(counts > 0, (1 - beta) / (1 - torch.pow(beta, counts)), torch.zeros_like(counts))
    return F.cross_entropy(logits, labels, weight=weights)


def rmse_loss(pred, target):
    mask = (target > 0).float()
    mse = ((pred - target) ** 2 * mask).sum() / mask.sum().clamp(min=1)
    return torch.sqrt(mse + 1e-12)


def unit_l1_loss(pred, target):
    unit = F.normalize(pred, dim=1, eps=1e-12)
    mask = (target.abs().sum(dim=1, keepdim=True) > 0).float().expand_as(target)
    return ((unit - target).abs() * mask).sum() / mask.sum().clamp(min=1)


def balanced_bce(pred, target, pos_weight):
    z = (target >= 0.5).float()
    weights = z * pos_weight + (1 - z) * (1 - pos_weight)
    per = F.binary_cross_entropy_with_logits(pred, z, reduction="none")
    return (per * weights).sum() / target.numel()


def task_loss(task, pred, target):
    name, options = task["loss"]["name"], task["loss"]["options"]
    if name == "ce":
        classes = pred.shape[1]
        return class_balanced_ce(pred, target, classes, bool(options.get("balanced", False)))
    if name == "rmse":
        return rmse_loss(pred, target)
    if name == "l1_unit":
        return unit_l1_loss(pred, target)
    if name == "bce":
        return balanced_bce(pred, target, float(options.get("pos_weight", 0.95)))
    if name == "mse":
        return F.mse_loss(pred, target)
    if name == "l1":
        return F.l1_loss(pred, target)
    raise SystemExit(f"unsupported loss {name}")


def random_target(task, batch, image, gen):
    """A random target of the task's kind: labels, positive depths, unit normals, edges, or the image."""
    kind = task["kind"]
    n, _, h, w = image.shape
    if task["target"] == "image" or kind == "reconstruction":
        return image
    if kind == "segmentation":
        return torch.randint(0, int(task["options"]["classes"]), (n, h, w), generator=gen)
    if kind == "classification":
        return torch.randint(0, int(task["options"]["classes"]), (n,), generator=gen)
    if kind == "depth":
        return torch.rand((n, 1, h, w), generator=gen) * 9 + 0.5
    if kind == "normals":
        return F.normalize(torch.randn((n, 3, h, w), generator=gen), dim=1)
    if kind == "edges":
        return (torch.rand((n, 1, h, w), generator=gen) < 0.1).float()
    if kind == "regression":
        return torch.randn((n, int(task["options"].get("outputs", 1))), generator=gen)
    raise SystemExit(f"unsupported task kind {kind}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ir")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=0, help="batch size (default: the file's)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this PyTorch sees no CUDA device")
    device = torch.device(args.device)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.ir, encoding="utf8") as f:
        ir = json.load(f)
    batch = args.batch or ir["train"]["batch"]
    net = Network(ir)
    params = count(net)
    if params != ir["totals"]["params"]:
        raise SystemExit(f"parameter count mismatch: torch {params}, IR totals {ir['totals']['params']}")
    net.to(device)
    optimizer, _ = optimizer_of(ir["train"]["optimizer"], net.parameters())
    net.train()

    gen = torch.Generator().manual_seed(args.seed)
    h, w, c = ir["input"]["shape"]
    image = torch.rand((batch, c, h, w), generator=gen)
    targets = {t["name"]: random_target(t, batch, image, gen).to(device) for t in ir["tasks"]}
    image = image.to(device)
    tasks = ir["tasks"]

    def step():
        optimizer.zero_grad(set_to_none=True)
        outputs = net(image)
        total = sum(t["weight"] * task_loss(t, outputs[t["name"]], targets[t["name"]]) for t in tasks)
        total.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return float(total)

    losses = [step() for _ in range(args.warmup)]
    times = []
    cpu_times = []
    for _ in range(args.steps):
        cpu_start = time.process_time()
        start = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu_start) * 1000)
    if not all(math.isfinite(l) for l in losses):
        raise SystemExit(f"non-finite loss: {losses}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": batch,
        "params": params,
        "stepMs": times,
        "cpuMs": cpu_times,
        "peakRssBytes": peak_kib * 1024,
        "firstLoss": losses[0],
        "lastLoss": losses[-1],
        "device": args.device,
        **({"gpu": torch.cuda.get_device_name(device), "peakGpuBytes": torch.cuda.max_memory_allocated(device)}
           if device.type == "cuda" else {}),
    }))


if __name__ == "__main__":
    sys.exit(main())
