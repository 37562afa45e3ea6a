"""Trains an `mtslc export --format pytorch` folder's network with PyTorch, on one process or many:

    python3 train.py DIR --out RUN [--data DATA] [--epochs E] [--batch B] [--steps S] [--resume]
    torchrun --standalone --nproc_per_node N train.py DIR --out RUN ...

It starts from the export's weights (DIR/model.ir.json, DIR/weights.safetensors) and trains with
the model file's settings as mtsl's trainer does (runtime/train/):
- the losses of runtime/losses.ts, ported (ce with `balanced`, `beta`, `ignore` and
  `label_smoothing`; bce with `pos_weight`; rmse, l1 and mse over `valid` pixels; l1_unit), each
  summed with its task's `weight` (`ew` weighting only: another weighting is refused);
- the optimizer (adam, sgd with momentum and nesterov; weight decay as an L2 term of the
  gradient, as runtime/train/optimizer.ts and torch.optim do) and the schedule (constant, step,
  cosine) of runtime/train/schedule.ts, the learning rate set at the start of each epoch;
- batch norm with its momentum and running statistics (mtsl_torch.py).
Data: the `npy` source's layout (docs/data.md): DIR/{train,val}/<folder>.npy stacked, or
<folder>/0.npy, 1.npy, ... per sample; --data overrides the file's `dir`. Other sources are not
read here.

Several processes: torchrun's environment (RANK, WORLD_SIZE); gloo on CPU, NCCL on GPUs (one per
process, LOCAL_RANK). The global batch is split evenly (the file's `batch`, or --batch, must be
a multiple of the processes); a DistributedSampler gives each process its share of each epoch's
permutation (torch.randperm seeded with the file's seed plus the epoch: not the runtime's order;
when N does not divide the set, it repeats a few samples), so N processes see, at each step, the
samples one process sees with the same global batch. N processes take the step one process takes
with that global batch, up to the order of float additions:
- the network runs under torch.nn.parallel.DistributedDataParallel (bucketed gradient all-reduce,
  overlapped with the backward pass; no device_ids on CPU; every parameter is used at every step,
  so no find_unused_parameters; no broadcast_buffers, as the running statistics are already the
  same on every process, below);
- each loss is the global batch's: its numerator and denominator sums are all-reduced before the
  division (a per-process mean would be exact only where every process has the same denominator:
  not with `valid` pixels, ignored labels or class-balanced weights). This process's term of it,
  the local numerator over the global denominator, has as gradient this process's share of the
  global gradient, so the gradients' sum over the processes is the global batch's gradient. DDP
  averages the gradients over the N processes instead of summing them, so the term is multiplied
  by N before backward (exact for N a power of two, within an ulp otherwise);
- batch norm takes its statistics over all processes (mtsl_torch.sync_batch_norm: the module's
  own all-reduced sums, with their gradients). nn.SyncBatchNorm is not used: PyTorch 1.13 runs
  it on CUDA only, and its buffers are not the runtime's names; its momentum (1 - m) and unbiased
  running variance would otherwise agree. The running statistics are therefore equal on every
  process.

RUN gets run.json (who trained it: {"trainer": "pytorch", "backend": "pytorch-cpu" or
"pytorch-cuda", the torch and Python versions, "worldSize", "device", "processGroup", the export
and data folders, "seed", "epochs", and "history": one entry per invocation, the first and each
--resume), model.ir.json (the IR it trains, from the start), checkpoint.pt (the state_dict, the
optimizer's state, where training stands; rewritten atomically at every epoch's end and at a stop
by --steps; --resume goes on from it, to the same weights as an uninterrupted run), metrics.jsonl
(one line per epoch, mtsl's shape with losses only: {"epoch", "lr", "backend", "train": {task:
{"loss"}}, "val": {task: {"loss"}}}; the train loss is the epoch's steps' losses weighted by their
samples, the val loss the runtime's: batches of max(batch, 32) in order, weighted by their sizes,
every `valEvery` epochs), and, at the end, weights.safetensors and mtsl_torch.py: a folder that
`mtsl_torch.load` reads and `mtslc report RUN` shows (curves and tree; no test scores: not
evaluated here).
Not carried over: structural learning, pretraining and warm starts, the other weightings,
dropout's random masks, the metrics other than the loss, the data checks of the npy loader
(runtime/data/npy: ranges, NaN), and the other data sources.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import struct
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mtsl_torch  # noqa: E402

# ---- the processes ----


class World:
    """This process's place among torchrun's (one process without torchrun)."""

    def __init__(self):
        self.size = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        cuda = torch.cuda.is_available()
        self.device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
        if cuda:
            torch.cuda.set_device(self.device)
        self.group = None
        if self.size > 1:
            self.group = "nccl" if cuda else "gloo"
            dist.init_process_group(self.group)

    def parallel(self, net):
        """`net` under DistributedDataParallel (itself on one process): what the training steps call."""
        if self.size == 1:
            return net
        return torch.nn.parallel.DistributedDataParallel(
            net, device_ids=[self.device.index] if self.device.type == "cuda" else None,
            broadcast_buffers=False, find_unused_parameters=False)

    def sum(self, t):
        """The tensor summed over the processes (no gradient)."""
        if self.size > 1:
            t = t.clone()
            dist.all_reduce(t)
        return t

    def barrier(self):
        if self.size > 1:
            dist.barrier()

    def close(self):
        if self.size > 1:
            dist.destroy_process_group()


# ---- losses: runtime/losses.ts, as a numerator and a denominator summed over the processes ----


def _masked(per_element, mask):
    return (per_element * mask).sum(), mask.sum()


def ce_terms(pred, target, options, world):
    """Softmax cross-entropy on logits [..., C]; labels outside [0, C) or equal to `ignore` do not count."""
    classes = pred.shape[-1]
    logits = pred.reshape(-1, classes)
    labels = target.reshape(-1).long()
    kept = (labels >= 0) & (labels < classes) & (labels != options.get("ignore", -1))
    safe = torch.where(kept, labels, torch.zeros_like(labels))
    logp = F.log_softmax(logits, dim=1)
    nll = -logp.gather(1, safe[:, None]).squeeze(1)
    smoothing = options.get("label_smoothing", 0)
    if smoothing > 0:
        nll = nll * (1 - smoothing) + (-logp.mean(dim=1)) * smoothing
    weights = kept.float()
    if options.get("balanced", False):
        # the class-balanced weights of the whole (global) batch: (1 - beta) / (1 - beta^n_c), 0 when absent
        beta = options.get("beta", 1 - 1e-3)
        counts = world.sum(torch.bincount(safe[kept], minlength=classes).float())
        denom = -torch.expm1(counts * math.log(beta))
        present = counts > 0
        per_class = torch.where(present, (1 - beta) / torch.where(present, denom, torch.ones_like(denom)),
                                torch.zeros_like(denom))
        weights = per_class[safe] * weights
    return (nll * weights).sum(), weights.sum()


def bce_terms(pred, target, options, world):
    """Binary cross-entropy on logits; target >= 0.5 positive, < 0 ignored; `pos_weight` p: p and 1 - p."""
    kept = (target >= 0).float()
    z = (target >= 0.5).float()
    per = F.softplus(pred) - pred * z
    p = options.get("pos_weight")
    weights = kept if p is None else kept * (z * p + (1 - z) * (1 - p))
    return (per * weights).sum(), kept.sum()


def _valid(target, options, default):
    return (target > 0).float() if options.get("valid", default) == "positive" else torch.ones_like(target)


def sq_terms(pred, target, options, default):
    return _masked((pred - target) ** 2, _valid(target, options, default))


def l1_terms(pred, target, options, world):
    return _masked((pred - target).abs(), _valid(target, options, "positive"))


def unit_l1_terms(pred, target, options, world):
    """L1 between the prediction normalised along its last axis and the target; all-zero targets do not count."""
    unit = pred * torch.rsqrt(torch.clamp((pred * pred).sum(-1, keepdim=True), min=1e-24))
    valid = (target.abs().sum(-1, keepdim=True) > 0).float() * torch.ones_like(target)
    return _masked((unit - target).abs(), valid)


LOSSES = {
    "ce": ce_terms,
    "bce": bce_terms,
    "rmse": lambda p, t, o, w: sq_terms(p, t, o, "positive"),
    "l1": l1_terms,
    "l1_unit": unit_l1_terms,
    "mse": lambda p, t, o, w: sq_terms(p, t, o, "all"),
}


def task_options(task):
    options = dict(task["loss"]["options"])
    if task["loss"]["name"] == "ce" and isinstance(task["options"].get("ignore"), (int, float)):
        options["ignore"] = task["options"]["ignore"]
    return options


def losses(tasks, outputs, targets, world):
    """{task: loss value} of the global batch, and this process's term of their weighted sum: its
    local numerators over the global denominators, whose gradients, summed over the processes, are
    the global batch's (train.py multiplies it by the processes before DDP averages them)."""
    sums = []
    for task in tasks:
        pred = outputs[task["name"]]
        if pred.dim() == 4:
            pred = pred.permute(0, 2, 3, 1)  # NHWC, as the runtime's losses read maps
        num, den = LOSSES[task["loss"]["name"]](pred, targets[task["name"]], task_options(task), world)
        sums.append((num, den))
    totals = world.sum(torch.stack([torch.stack([n.detach(), d.detach()]) for n, d in sums]))
    values, term = {}, 0.0
    for task, (num, _), (n, d) in zip(tasks, sums, totals.tolist()):
        value = n / d if d > 0 else 0.0
        if task["loss"]["name"] == "rmse":
            value = math.sqrt(value) if value > 0 else 0.0
            part = num / (2 * d * value) if value > 0 else num * 0.0  # d sqrt(N / D) = dN / (2 D sqrt(N / D))
        else:
            part = num / d if d > 0 else num * 0.0
        values[task["name"]] = value
        term = term + task["weight"] * part
    return values, term


# ---- schedule: runtime/train/schedule.ts ----


def learning_rate(schedule, base, epoch, epochs):
    o = schedule["options"]
    if schedule["name"] == "constant":
        return base
    if schedule["name"] == "step":
        passed = sum(1 for m in o.get("milestones", []) if m <= epoch)
        return base * o.get("gamma", 0.1) ** passed
    if schedule["name"] == "cosine":
        low = o.get("min_lr", 0)
        if epochs <= 1:
            return base
        t = min(epoch, epochs - 1) / (epochs - 1)
        return low + (base - low) * 0.5 * (1 + math.cos(math.pi * t))
    raise SystemExit(f"train.py: unknown schedule {schedule['name']}")


def optimizer_of(call, params):
    """runtime/train/optimizer.ts createOptimizer: the optimizer and its base learning rate."""
    o = call["options"]
    if call["name"] == "adam":
        lr = o.get("lr", 1e-4)
        return torch.optim.Adam(params, lr=lr, betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                eps=o.get("epsilon", 1e-8), weight_decay=o.get("weight_decay", 0)), lr
    if call["name"] == "sgd":
        lr = o.get("lr", 0.01)
        return torch.optim.SGD(params, lr=lr, momentum=o.get("momentum", 0.9), weight_decay=o.get("weight_decay", 0),
                               nesterov=o.get("nesterov", False) is True), lr
    raise SystemExit(f"train.py: unknown optimizer {call['name']}")


# ---- data: the npy source's layout (docs/data.md) ----

DEFAULT_FOLDER = {"segmentation": "label", "edges": "label", "depth": "depth", "normals": "normal",
                  "reconstruction": "image"}


def read_array(split_dir, name, limit):
    stacked = os.path.join(split_dir, name + ".npy")
    if os.path.exists(stacked):
        a = np.load(stacked)
    else:
        folder = os.path.join(split_dir, name)
        if not os.path.isdir(folder):
            raise SystemExit(f"train.py: {split_dir} has neither {name}.npy nor {name}/")
        count = sum(1 for f in os.listdir(folder) if f.endswith(".npy") and f[:-4].isdigit())
        a = np.stack([np.load(os.path.join(folder, f"{i}.npy")) for i in range(count)])
    return a[:limit] if limit is not None else a


def semantic_edges(labels):
    """runtime/train/tasks.ts semanticEdges: 1 on both sides of a label change to the right or below."""
    out = np.zeros(labels.shape, dtype=np.float32)
    right = labels[:, :, :-1] != labels[:, :, 1:]
    down = labels[:, :-1, :] != labels[:, 1:, :]
    out[:, :, :-1][right] = 1
    out[:, :, 1:][right] = 1
    out[:, :-1, :][down] = 1
    out[:, 1:, :][down] = 1
    return out


def load_split(ir, data_dir, split):
    """(images NHWC float32, {task: target}) of a split, as the runtime binds each task's target."""
    o = ir["data"]["options"]
    split_dir = os.path.join(data_dir, o.get(f"{split}_dir", split))
    limit = o.get(split)
    images = read_array(split_dir, o.get("image", "image"), limit)
    scale = o.get("image_scale", 1 / 255 if images.dtype == np.uint8 else 1)
    images = images.astype(np.float32) * np.float32(scale)
    if images.ndim == 3:
        images = images[..., None]
    segmentation_folders = {t["target"] for t in ir["tasks"] if t["kind"] == "segmentation"}
    heads = {h["task"]: h for h in ir["heads"]}
    targets = {}
    for task in ir["tasks"]:
        folder = task["target"]
        if folder == "image":
            targets[task["name"]] = images
            continue
        a = read_array(split_dir, folder, limit)
        n = a.shape[0]
        if task["kind"] in ("segmentation", "classification"):
            targets[task["name"]] = a.reshape(n, *([] if task["kind"] == "classification" else a.shape[1:3])).astype(np.int64)
        elif task["kind"] == "edges" and folder in segmentation_folders:
            targets[task["name"]] = semantic_edges(a.reshape(n, *a.shape[1:3]))[..., None]
        else:
            targets[task["name"]] = a.astype(np.float32).reshape(n, *heads[task["name"]]["outShape"])
    return images, targets


# ---- the run folder ----


def write_atomic(path, write):
    tmp = f"{path}.{os.getpid()}.tmp"
    write(tmp)
    os.replace(tmp, path)


def write_safetensors(path, tensors):
    """{name: tensor} as float32 safetensors (the format runtime/io/safetensors.ts writes)."""
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header)
    text += " " * ((8 - (8 + len(text.encode())) % 8) % 8)

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text.encode())))
            f.write(text.encode())
            for b in blobs:
                f.write(b)

    write_atomic(path, write)


def write_run_info(args, ir, world, data_dir, epochs):
    """RUN/run.json: what trains the folder (mtslc report reads it); a --resume adds to its history."""
    path = os.path.join(args.out, "run.json")
    history = []
    if args.resume and os.path.exists(path):
        with open(path, encoding="utf8") as f:
            history = json.load(f).get("history", [])
    here = {
        "startedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
        "resumed": bool(args.resume),
        "command": sys.argv,
        "torch": torch.__version__,
        "worldSize": world.size,
        "device": world.device.type,
    }
    info = {
        "trainer": "pytorch",
        "model": ir["name"],
        "export": os.path.abspath(args.export),
        "data": os.path.abspath(data_dir),
        "backend": f"pytorch-{world.device.type}",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "worldSize": world.size,
        "device": world.device.type,
        "processGroup": world.group,
        "seed": ir["train"]["seed"],
        "epochs": epochs,
        "history": history + [here],
    }

    def write(tmp):
        with open(tmp, "w", encoding="utf8") as f:
            f.write(json.dumps(info, indent=2) + "\n")

    write_atomic(path, write)


def main():
    parser = argparse.ArgumentParser(description="Trains an mtslc export folder's network with PyTorch.")
    parser.add_argument("export", help="the folder of mtslc export --format pytorch")
    parser.add_argument("--out", required=True, help="the run folder to write (checkpoint.pt, metrics.jsonl)")
    parser.add_argument("--data", help="the npy data folder (default: the model file's dir)")
    parser.add_argument("--epochs", type=int, help="default: the model file's")
    parser.add_argument("--batch", type=int, help="the global batch (default: the model file's)")
    parser.add_argument("--steps", type=int, help="stop after this many steps in all (a checkpoint is written)")
    parser.add_argument("--resume", action="store_true", help="go on from RUN/checkpoint.pt")
    parser.add_argument("--threads", type=int, help="torch threads per process")
    args = parser.parse_args()

    world = World()
    if args.threads:
        torch.set_num_threads(args.threads)
    with open(os.path.join(args.export, mtsl_torch.IR_FILE), encoding="utf8") as f:
        ir = json.load(f)
    train = ir["train"]
    weighting = train.get("weighting", {"name": "ew"})["name"]
    if weighting != "ew":
        raise SystemExit(f"train.py: the weighting {weighting} is not carried over (only ew: the tasks' weights)")
    if ir["data"]["name"] != "npy":
        raise SystemExit(f"train.py: reads the npy layout only; the model's data is {ir['data']['name']}")
    epochs = args.epochs or train["epochs"]
    batch = args.batch or train["batch"]
    if batch % world.size != 0:
        raise SystemExit(f"train.py: the batch {batch} is not a multiple of the {world.size} processes")
    local = batch // world.size
    torch.manual_seed(train["seed"] + world.rank)  # dropout's masks

    mtsl_torch.sync_batch_norm(world.size > 1)
    net = mtsl_torch.load(args.export).to(world.device)
    optimizer, base_lr = optimizer_of(train["optimizer"], list(net.parameters()))
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    state = {"epoch": 0, "step_in_epoch": 0, "steps": 0, "sums": {}, "seen": 0}
    if args.resume:
        saved = torch.load(checkpoint, map_location=world.device)
        net.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["state"]
        metrics = os.path.join(args.out, "metrics.jsonl")
        if world.rank == 0 and os.path.exists(metrics):
            # a line written after the checkpoint's epoch (a stop between the two) is written again
            with open(metrics, encoding="utf8") as f:
                kept = [line for line in f if line.strip() and json.loads(line)["epoch"] <= state["epoch"]]

            def rewrite(tmp):
                with open(tmp, "w", encoding="utf8") as f:
                    f.writelines(kept)

            write_atomic(metrics, rewrite)
    elif world.rank == 0:
        os.makedirs(args.out, exist_ok=True)
        if os.path.exists(checkpoint):
            raise SystemExit(f"train.py: {args.out} holds a run: add --resume, or choose another folder")
    data_dir = args.data or ir["data"]["options"]["dir"]
    if world.rank == 0:
        shutil.copyfile(os.path.join(args.export, mtsl_torch.IR_FILE), os.path.join(args.out, mtsl_torch.IR_FILE))
        write_run_info(args, ir, world, data_dir, epochs)
    world.barrier()
    # after the checkpoint's weights are in: DDP starts every process from rank 0's parameters
    model = world.parallel(net)

    images, targets = load_split(ir, data_dir, "train")
    val = load_split(ir, data_dir, "val") if os.path.isdir(os.path.join(data_dir, "val")) else None
    tasks = ir["tasks"]

    def tensors(x, t, index):
        x = torch.from_numpy(np.ascontiguousarray(x[index])).permute(0, 3, 1, 2).to(world.device)
        return x, {k: torch.from_numpy(np.ascontiguousarray(v[index])).to(world.device) for k, v in t.items()}

    def save():
        if world.rank == 0:
            snapshot = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "state": state}
            write_atomic(checkpoint, lambda tmp: torch.save(snapshot, tmp))
        world.barrier()

    sampler = torch.utils.data.distributed.DistributedSampler(
        range(images.shape[0]), num_replicas=world.size, rank=world.rank, shuffle=True, seed=train["seed"])
    backend = f"pytorch-{world.device.type}"
    stopped = False
    for epoch in range(state["epoch"], epochs):
        lr = learning_rate(train["schedule"], base_lr, epoch, epochs)
        for group in optimizer.param_groups:
            group["lr"] = lr
        sampler.set_epoch(epoch)
        order = list(sampler)
        batches = [order[i:i + local] for i in range(0, len(order), local)]
        net.train()
        for k in range(state["step_in_epoch"], len(batches)):
            if args.steps is not None and state["steps"] >= args.steps:
                stopped = True
                break
            x, t = tensors(images, targets, batches[k])
            optimizer.zero_grad(set_to_none=True)
            values, term = losses(tasks, model(x), t, world)
            # DDP averages the processes' gradients: N times each share makes their sum (docstring)
            (term * world.size if world.size > 1 else term).backward()
            optimizer.step()
            state["steps"] += 1
            state["step_in_epoch"] = k + 1
            size = len(batches[k]) * world.size
            state["seen"] += size
            for name, v in values.items():
                state["sums"][name] = state["sums"].get(name, 0.0) + v * size
        if stopped:
            break
        record = {"epoch": epoch + 1, "lr": lr, "backend": backend,
                  "train": {n: {"loss": s / max(state["seen"], 1)} for n, s in state["sums"].items()}}
        if val is not None and (epoch + 1) % train.get("valEvery", 1) == 0:
            record["val"] = evaluate(net, val, tasks, max(batch, 32), world, tensors)
        state.update({"epoch": epoch + 1, "step_in_epoch": 0, "sums": {}, "seen": 0})
        if world.rank == 0:
            with open(os.path.join(args.out, "metrics.jsonl"), "a", encoding="utf8") as f:
                f.write(json.dumps(record) + "\n")
        save()
    if stopped:
        save()
    if world.rank == 0:
        write_safetensors(os.path.join(args.out, mtsl_torch.WEIGHTS_FILE), net.state_dict())
        shutil.copyfile(os.path.join(args.export, "mtsl_torch.py"), os.path.join(args.out, "mtsl_torch.py"))
    world.close()


def evaluate(net, split, tasks, batch, world, tensors):
    """Each task's loss on the split in eval mode, as runtime/train/evaluate.ts: batches of `batch` in
    order, each batch's loss weighted by its size; each process takes every size-th batch."""
    images, targets = split
    net.eval()
    n = images.shape[0]
    starts = list(range(0, n, batch))[world.rank::world.size]
    sums = torch.zeros(len(tasks) + 1, dtype=torch.float64)
    with torch.no_grad():
        for start in starts:
            index = list(range(start, min(start + batch, n)))
            x, t = tensors(images, targets, index)
            values, _ = losses(tasks, net(x), t, _Local())
            sums += torch.tensor([values[task["name"]] * len(index) for task in tasks] + [len(index)], dtype=torch.float64)
    sums = world.sum(sums.to(world.device)).cpu().tolist()
    return {task["name"]: {"loss": s / sums[-1]} for task, s in zip(tasks, sums)}


class _Local:
    """A world of one process (a validation batch's losses, on the process that evaluates it)."""

    size = 1

    def sum(self, t):
        return t


if __name__ == "__main__":
    main()
