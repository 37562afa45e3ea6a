#!/usr/bin/python3
"""The PyTorch peer of `npm run bench:train`.

Builds, from an mtsl IR JSON file (compiler/ir/json.ts `irToJson`), the same network
the TensorFlow.js runtime trains, in NCHW, with runtime/pytorch/mtsl_torch.py's `Network`
(the module `mtslc export --format pytorch` ships; its doc gives each layer's semantics;
its parameters are checked per layer and in total against the IR). Then it times training
steps (forward, the file's task losses, backward, Adam with the file's settings) on random
inputs and targets of the file's batch shape, and prints one JSON line with the step times.

Losses: the export's (runtime/pytorch/train.py `losses`, the PyTorch port of
runtime/losses.ts that test/cli/export-pytorch.test.ts checks against the runtime), on targets
laid out as the runtime binds them (NHWC maps).

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
from train import World, optimizer_of  # noqa: E402  (the export's train.py: one port of the optimizers)
from train import losses as task_losses  # noqa: E402  (and of the losses)


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def random_target(task, batch, image, head, gen):
    """A random target of the task's kind, laid out as the runtime binds it (NHWC maps, as
    runtime/pytorch/train.py's `load_split` reads them): labels, positive depths, unit normals,
    edges, or the image itself."""
    kind = task["kind"]
    n = image.shape[0]
    shape = tuple(head["outShape"])
    if task["target"] == "image" or kind == "reconstruction":
        return image.permute(0, 2, 3, 1).contiguous()
    if kind == "segmentation":
        return torch.randint(0, int(task["options"]["classes"]), (n, *shape[:2]), generator=gen)
    if kind == "classification":
        return torch.randint(0, int(task["options"]["classes"]), (n,), generator=gen)
    if kind == "depth":
        return torch.rand((n, *shape), generator=gen) * 9 + 0.5
    if kind == "normals":
        return F.normalize(torch.randn((n, *shape), generator=gen), dim=-1)
    if kind == "edges":
        return (torch.rand((n, *shape), generator=gen) < 0.1).float()
    if kind == "regression":
        return torch.randn((n, *shape), generator=gen)
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
    heads = {h["task"]: h for h in ir["heads"]}
    targets = {t["name"]: random_target(t, batch, image, heads[t["name"]], gen).to(device) for t in ir["tasks"]}
    image = image.to(device)
    tasks = ir["tasks"]
    world = World()  # one process: the losses' sums are this batch's

    def step():
        optimizer.zero_grad(set_to_none=True)
        outputs = net(image)
        _, total = task_losses(tasks, outputs, targets, world)
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
