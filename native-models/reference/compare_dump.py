"""Check a `vxd-run --dump` against the HF parity fixtures, where there is no Node (the GPU machine).

    vxd-run --model PACKED/model.pte --backend cuda --dtype fp32 --dump DIR AUDIO > run.json
    python3 native-models/reference/compare_dump.py --case wrap --variant fp32 --dump DIR --run run.json

The measures and bounds are those of test/native/parity.test.ts (bounds from
test/fixtures/reference/bounds.json; definitions in docs/benchmarks.md "Correctness"). Prints one JSON
line with the measures and the failed checks; exits 1 if any check fails. Pack the model here with the
variant's options (`npx voxtral pack`, group size 32) and carry it to the device.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "test/fixtures/reference"


def load_ref(case: str, ref: dict) -> np.ndarray:
    return np.fromfile(FIXTURES / case / ref["file"], dtype="<f4").reshape(ref["shape"]).astype(np.float64)


def load_dump(directory: Path, name: str) -> np.ndarray:
    files = sorted(directory.glob(f"{name}.*.f32"))
    if len(files) != 1:
        raise SystemExit(f"{directory}: expected one {name}.<cols>.f32, found {[f.name for f in files]}")
    cols = int(files[0].name.split(".")[1])
    return np.fromfile(files[0], dtype="<f4").reshape(-1, cols).astype(np.float64)


def rel(a: np.ndarray, ref: np.ndarray) -> float:
    return float(np.linalg.norm(a - ref) / max(np.linalg.norm(ref), 1e-30))


def worst_row_rel(a: np.ndarray, ref: np.ndarray, rows: int) -> float:
    return max(rel(a[r], ref[r]) for r in range(rows))


def first_divergence(got: list[int], ref: list[int]) -> int:
    return next((k for k in range(len(ref)) if k >= len(got) or got[k] != ref[k]), -1)


def comparable_steps(got: list[int], ref: list[int]) -> int:
    k = first_divergence(got, ref)
    return len(ref) if k < 0 else k + 1


def check(case: str, variant_name: str, dump: Path, tokens: list[int]) -> dict:
    bounds = json.loads((FIXTURES / "bounds.json").read_text())
    v = bounds["variants"][variant_name]
    manifest = json.loads((FIXTURES / case / "manifest.json").read_text())
    hf = {name: load_ref(case, ref) for name, ref in manifest["arrays"].items()}
    got = {name: load_dump(dump, name) for name in hf}
    reference = manifest if v["quant"] == "none" else manifest["quantized"][v["quant"]]

    failures = []
    for name in ("mel", "encoder", "audio_embeds"):
        if got[name].shape != hf[name].shape:
            failures.append(f"{name} shape {got[name].shape} != {hf[name].shape}")
    if failures:
        return {"failures": failures}
    measured = {
        "melMaxAbs": float(np.abs(got["mel"] - hf["mel"]).max()),
        "encoder": rel(got["encoder"], hf["encoder"]),
        "audioEmbeds": rel(got["audio_embeds"], hf["audio_embeds"]),
        "logitsVsHf": worst_row_rel(got["logits"], hf["logits"], comparable_steps(tokens, manifest["tokens"])),
        "firstDivergence": first_divergence(tokens, reference["tokens"]),
        "engineTokens": len(tokens),
        "referenceTokens": len(reference["tokens"]),
    }
    if v["quant"] != "none":
        quantized = load_ref(case, reference["logits"])
        measured["logitsVsQuantized"] = worst_row_rel(got["logits"], quantized, comparable_steps(tokens, reference["tokens"]))

    def bound(key: str, limit: float) -> None:
        if not measured[key] <= limit:  # NaN fails too
            failures.append(f"{key} {measured[key]:.3g} > {limit:g}")

    bound("melMaxAbs", bounds["melMaxAbs"])
    bound("encoder", v["encoder"])
    bound("audioEmbeds", v["audioEmbeds"])
    bound("logitsVsHf", v["logitsVsHf"])
    if "logitsVsQuantized" in v:
        bound("logitsVsQuantized", v["logitsVsQuantized"])
    if len(tokens) != len(reference["tokens"]) + 1:
        failures.append(f"engine made {len(tokens)} tokens, expected {len(reference['tokens']) + 1} (one more than generate)")
    k = measured["firstDivergence"]
    if k >= 0:
        if v["exactTokens"]:
            failures.append(f"tokens differ from the reference at step {k}")
        else:  # a flip is only acceptable at a near-tie: margin within twice the engine's logit error there
            ref_logits = hf["logits"] if v["quant"] == "none" else load_ref(case, reference["logits"])
            error = float(np.abs(got["logits"][k] - ref_logits[k]).max())
            if reference["margins"][k] > 2 * error:
                failures.append(f"token flip at step {k}: reference margin {reference['margins'][k]:.3g} > 2 x logit error {error:.3g}")
    return {"case": case, "variant": variant_name, "measured": measured, "failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", required=True, choices=["tiny", "wrap"])
    parser.add_argument("--variant", required=True, choices=["fp32", "bf16", "8w", "4w"])
    parser.add_argument("--dump", required=True, type=Path, help="vxd-run --dump directory")
    parser.add_argument("--run", required=True, type=Path, help="vxd-run's JSON output (for the tokens)")
    args = parser.parse_args()
    tokens = json.loads(args.run.read_text())["tokens"]
    result = check(args.case, args.variant, args.dump, tokens)
    print(json.dumps(result))
    sys.exit(1 if result["failures"] else 0)


if __name__ == "__main__":
    main()
