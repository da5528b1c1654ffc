"""Word error rate: (substitutions + deletions + insertions) / reference words, after normalisation.

Normalisation lowercases and drops punctuation, so WER measures the words; punctuation and case are
reported separately by the caller if wanted.

  python3 wer.py MANIFEST.jsonl HYPOTHESES.jsonl   # lines {"wav": ..., "text": ...}; prints a JSON summary
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_WORD = re.compile(r"[a-z0-9']+")


def normalise(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def edit_counts(ref: list[str], hyp: list[str]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of a minimum-cost alignment (Levenshtein over words)."""
    # cost[j] holds (total, subs, dels, ins) for ref[:i] vs hyp[:j]
    prev = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i in range(1, len(ref) + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, len(hyp) + 1):
            same = ref[i - 1] == hyp[j - 1]
            d = prev[j - 1]
            options = [
                (d[0] + (0 if same else 1), d[1] + (0 if same else 1), d[2], d[3]),
                (prev[j][0] + 1, prev[j][1], prev[j][2] + 1, prev[j][3]),
                (cur[j - 1][0] + 1, cur[j - 1][1], cur[j - 1][2], cur[j - 1][3] + 1),
            ]
            cur.append(min(options))
        prev = cur
    _, s, d, n = prev[-1]
    return s, d, n


def corpus_wer(pairs: list[tuple[str, str]]) -> dict:
    """pairs of (reference, hypothesis) -> totals and WER over all reference words."""
    subs = dels = ins = words = 0
    for ref, hyp in pairs:
        r = normalise(ref)
        s, d, n = edit_counts(r, normalise(hyp))
        subs, dels, ins, words = subs + s, dels + d, ins + n, words + len(r)
    errors = subs + dels + ins
    return {
        "utterances": len(pairs), "words": words, "substitutions": subs, "deletions": dels, "insertions": ins,
        "wer": errors / words if words else 0.0,
    }


def _read_jsonl(path: Path) -> dict[str, str]:
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row.get("wav"), str) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{n}: need string fields wav and text")
            out[row["wav"]] = row["text"]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    refs, hyps = _read_jsonl(Path(argv[0])), _read_jsonl(Path(argv[1]))
    missing = sorted(set(refs) - set(hyps))
    summary = corpus_wer([(refs[k], hyps.get(k, "")) for k in sorted(refs)])
    summary["missing_hypotheses"] = len(missing)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
