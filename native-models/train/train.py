"""Train the embedded demo model (GPU machine; torch). See docs/training.md.

  python3 train.py DATA OUT [--steps N] [--time-budget-s S] [--resume STATE]

DATA is make_data.py's folder. Before anything else the torch model is checked against the numpy
reference (parity.py); then teacher-forced training on augmented examples (bf16 autocast, AdamW,
warm-up + cosine), then greedy decoding of the held-out sets with the weights rounded to bf16 as
saved. Writes OUT/checkpoint/{params.json,consolidated.safetensors,tekken.json}, OUT/train_log.jsonl,
OUT/eval_<set>.jsonl (reference, hypothesis, token ids) and OUT/summary.json.

When --time-budget-s runs out before --steps, the run saves a resumable state (model, optimiser,
step) to --state and exits with status 3; calling again with --resume continues the same schedule.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from mistral_format import dims_from_params  # noqa: E402
from numpy_model import mel_filters as reference_mel_filters  # noqa: E402

import recipe  # noqa: E402
from checkpoint import bf16_rounded, model_tensors, save_checkpoint  # noqa: E402
from dataset import Split, load_split, make_example, pad_offline, special_ids  # noqa: E402
from model import LogMel, Voxtral, at_least_fp32, init_weights  # noqa: E402
from parity import check_parity  # noqa: E402
from targets import IGNORE, FIRST_OUTPUT_POSITION, PROMPT_LENGTH, TargetError, n_positions  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402
from wer import corpus_wer  # noqa: E402


def bf16_autocast(device: str):
    """bf16 autocast on the GPU; plain fp32 elsewhere (CPU smoke runs)."""
    return torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else contextlib.nullcontext()


class TrainSet(torch.utils.data.Dataset):
    """Example i of epoch e is augmented with a seed made of (seed, e, i): reproducible across resumes."""

    def __init__(self, split: Split, tok: Tokenizer, seed: int):
        self.split, self.tok, self.seed, self.epoch = split, tok, seed, 0

    def __len__(self) -> int:
        return len(self.split)

    def __getitem__(self, i: int):
        rng = np.random.default_rng([self.seed, self.epoch, i])
        try:
            ex = make_example(self.split, i, self.tok, rng)
        except TargetError:
            return None
        return ex.padded_audio, ex.targets.input_ids, ex.targets.target_ids


def collate(items):
    items = [x for x in items if x is not None]
    if not items:
        return None
    n = max(len(t) for _, _, t in items)
    audio = np.zeros((len(items), n * 1280), np.float32)
    inputs = np.zeros((len(items), n), np.int64)
    targets = np.full((len(items), n), IGNORE, np.int64)
    for k, (a, i, t) in enumerate(items):
        audio[k, : len(a)] = a  # zeros after the right pad: causal, so earlier positions are unchanged
        inputs[k, : len(i)] = i
        targets[k, : len(t)] = t
    return torch.from_numpy(audio), torch.from_numpy(inputs), torch.from_numpy(targets)


def length_bucketed_batches(lengths: np.ndarray, batch_size: int, seed: int) -> list[list[int]]:
    """Shuffle, sort within pools of 50 batches by length (less padding), shuffle the batches."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = 50 * batch_size
    batches = []
    for s in range(0, len(order), pool):
        chunk = sorted(order[s : s + pool], key=lambda i: lengths[i])
        batches += [chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def batch_stream(ds: TrainSet, batch_size: int, seed: int, start_step: int, workers: int):
    """Endless (step, batch) stream; epoch e's order depends only on (seed, e), so resuming at a step is exact."""
    lengths = np.diff(ds.split.offsets)
    step = 0
    epoch = 0
    while True:
        batches = length_bucketed_batches(lengths, batch_size, seed + epoch)
        if step + len(batches) <= start_step:
            step += len(batches)
            epoch += 1
            continue
        skip = max(0, start_step - step)
        ds.epoch = epoch
        parallel = {"num_workers": workers, "prefetch_factor": 4} if workers else {}
        loader = torch.utils.data.DataLoader(ds, batch_sampler=batches[skip:], collate_fn=collate, **parallel)
        step += skip
        for batch in loader:
            yield step, batch
            step += 1
        epoch += 1


def masked_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(at_least_fp32(logits).reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)


@torch.no_grad()
def accuracy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int) -> dict:
    """Top-1 accuracy over trained positions, and over text positions only (PAD dominates the first)."""
    flat_logits = logits.float().reshape(-1, logits.shape[-1])
    flat_targets = targets.reshape(-1)
    valid = flat_targets != IGNORE
    pred = flat_logits.argmax(-1)
    text = valid & (flat_targets != pad_id)
    return {
        "acc": float((pred[valid] == flat_targets[valid]).float().mean()),
        "text_acc": float((pred[text] == flat_targets[text]).float().mean()) if text.any() else float("nan"),
    }


@torch.no_grad()
def greedy_decode(model: Voxtral, logmel: LogMel, split: Split, tok: Tokenizer, device: str, batch_size: int = 32,
                  limit: int | None = None) -> list[dict]:
    """Offline greedy decoding as HF generate / the engine's flush: prompt, then feed back every sampled id."""
    ids = special_ids(tok)
    out: list[dict] = []
    total = len(split) if limit is None else min(limit, len(split))
    for s in range(0, total, batch_size):
        idx = list(range(s, min(total, s + batch_size)))
        audios = [split.clean_audio(i) for i in idx]  # eval splits are stored already augmented
        padded = [pad_offline(a) for a in audios]
        limits = [n_positions(len(a)) for a in audios]
        n = max(limits)
        batch = np.zeros((len(idx), n * 1280), np.float32)
        for k, p in enumerate(padded):
            batch[k, : len(p)] = p
        with bf16_autocast(device):
            emb = model.audio_embeds(logmel(torch.from_numpy(batch).to(device)))
        seq = torch.full((len(idx), PROMPT_LENGTH), ids.pad, dtype=torch.long, device=device)
        seq[:, 0] = ids.bos
        generated: list[list[int]] = [[] for _ in idx]
        done = [False] * len(idx)
        for p in range(FIRST_OUTPUT_POSITION, n - 1):  # HF: the last audio position is never fed
            with bf16_autocast(device):
                logits = model.decoder_logits(emb, seq)
            nxt = logits[:, -1].float().argmax(-1)
            for k in range(len(idx)):
                if not done[k]:
                    generated[k].append(int(nxt[k]))
                    done[k] = generated[k][-1] == ids.eos or p + 1 >= limits[k] - 1
            if all(done):
                break
            seq = torch.cat([seq, nxt[:, None]], dim=1)
        for k, i in enumerate(idx):
            text = tok.decode([t for t in generated[k] if t != ids.eos]).strip()
            out.append({"index": i, "voice": split.voices[i], "reference": split.texts[i], "hypothesis": text, "tokens": generated[k]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--steps", type=int, default=recipe.STEPS)
    ap.add_argument("--batch-size", type=int, default=recipe.BATCH_SIZE)
    ap.add_argument("--seed", type=int, default=recipe.SEED)
    ap.add_argument("--time-budget-s", type=float, default=float("inf"))
    ap.add_argument("--state", type=Path, help="where to save a resumable state when the budget runs out")
    ap.add_argument("--resume", type=Path)
    ap.add_argument("--workers", type=int, default=12, help="example-building processes (the GPU machine has 16 cores)")
    ap.add_argument("--skip-parity", action="store_true", help="only for a resumed run whose first call passed it")
    ap.add_argument("--eval-limit", type=int, help="evaluate only the first N utterances of each held-out set (smoke runs)")
    a = ap.parse_args()
    started = time.time()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    a.out.mkdir(parents=True, exist_ok=True)
    tekken_path = a.data / "tekken.json"
    tok = Tokenizer.load(tekken_path)
    params = recipe.demo_params(tok.vocab_size)
    summary: dict = {"params": recipe.count_parameters(params), "seed": a.seed, "steps": a.steps, "batch_size": a.batch_size}

    if not a.skip_parity:
        summary["parity"] = check_parity(params, tekken_path, device)
        print("parity ok", summary["parity"], flush=True)

    torch.manual_seed(a.seed)
    model = Voxtral(dims_from_params(params))
    init_weights(model, a.seed)
    model = model.to(device)
    logmel = LogMel(reference_mel_filters()).to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": recipe.WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=recipe.LEARNING_RATE, betas=recipe.BETAS, **({"fused": True} if device == "cuda" else {}))
    start_step = 0
    if a.resume:
        state = torch.load(a.resume, map_location=device)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start_step = state["step"]
        print(f"resumed at step {start_step}", flush=True)

    train = load_split(a.data / "train")
    ds = TrainSet(train, tok, a.seed)
    pad_id = special_ids(tok).pad
    log = open(a.out / "train_log.jsonl", "a")
    model.train()
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    step = start_step
    finished = start_step >= a.steps
    t_last = time.time()
    for step, batch in batch_stream(ds, a.batch_size, a.seed, start_step, a.workers):
        if step >= a.steps:
            finished = True
            break
        if time.time() - started > a.time_budget_s:
            break
        if batch is None:
            continue
        audio, inputs, targets = batch
        for group in opt.param_groups:
            group["lr"] = recipe.lr_at(step, a.steps)
        audio, inputs, targets = audio.to(device, non_blocking=True), inputs.to(device), targets.to(device)
        with torch.no_grad():
            mel = logmel(audio)
        with bf16_autocast(device):
            logits = model(mel, inputs)
        loss = masked_loss(logits, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.GRAD_CLIP)
        opt.step()
        if step % 50 == 0 or step == a.steps - 1:
            if not math.isfinite(float(loss)):
                raise SystemExit(f"loss is not finite at step {step}")
            stats = accuracy(logits, targets, pad_id)
            row = {"step": step, "loss": float(loss), "lr": recipe.lr_at(step, a.steps), "grad_norm": float(grad_norm),
                   "s_per_step": (time.time() - t_last) / (1 if step == start_step else 50), "elapsed_s": time.time() - started, **stats}
            t_last = time.time()
            log.write(json.dumps(row) + "\n")
            log.flush()
            print(json.dumps(row), flush=True)

    if not finished:
        if a.state is None:
            raise SystemExit("time budget ran out and no --state path was given")
        a.state.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step}, a.state)
        print(f"time budget used at step {step}; state saved to {a.state}; resume with --resume", flush=True)
        sys.exit(3)

    # Evaluate exactly what is saved: weights rounded to bf16.
    tensors = bf16_rounded(model_tensors(model))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    save_checkpoint(a.out / "checkpoint", params, tensors, tekken_path, dtype="BF16")
    model.eval()
    for name in ("seen_voices", "unseen_voices"):
        split = load_split(a.data / "eval" / name)
        rows = greedy_decode(model, logmel, split, tok, device, limit=a.eval_limit)
        with open(a.out / f"eval_{name}.jsonl", "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        summary[f"wer_{name}"] = corpus_wer([(r["reference"], r["hypothesis"]) for r in rows])
        print(name, json.dumps(summary[f"wer_{name}"]), flush=True)
        for r in rows[:3]:
            print("  ref:", r["reference"], "\n  hyp:", r["hypothesis"], flush=True)
    summary["elapsed_s"] = time.time() - started
    (a.out / "summary.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
