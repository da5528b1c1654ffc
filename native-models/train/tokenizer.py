"""A small Tekken vocabulary for the demo model: the 256 bytes plus BPE merges learned from the training text.

Written as a real tekken.json (config, vocab with base64 token_bytes, the real special tokens at their
real ranks, the streaming `audio` block) so the packer, the engine and the app's detokenizer read it
exactly as they read Mistral's. Encoding is the Tekken way: split into pieces that carry their leading
space, then byte-pair merges by rank; regular ids are rank + 1000.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from mistral_format import N_SPECIAL, tekken_json  # noqa: E402

# The English subset of Tekken's pre-tokenisation: a word with its leading space, or a punctuation run.
PIECE = re.compile(r" ?[A-Za-z]+| ?[^\sA-Za-z]+|\s+")


def pieces(text: str) -> list[bytes]:
    return [m.group(0).encode("utf-8") for m in PIECE.finditer(text)]


def learn_merges(texts: list[str], n_merges: int) -> list[bytes]:
    """Classic BPE over piece counts; ties go to the lexicographically smallest pair (deterministic)."""
    counts: Counter[tuple[bytes, ...]] = Counter()
    for t in texts:
        for p in pieces(" " + t):
            counts[tuple(bytes([b]) for b in p)] += 1
    merges: list[bytes] = []
    words = dict(counts)
    for _ in range(n_merges):
        pairs: Counter[tuple[bytes, bytes]] = Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merged = a + b
        merges.append(merged)
        new_words: dict[tuple[bytes, ...], int] = {}
        for w, c in words.items():
            out: list[bytes] = []
            i = 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + c
        words = new_words
    return merges


def build_tekken(merges: list[bytes]) -> dict:
    """tekken.json with the byte vocabulary followed by the merges (rank 256 + i)."""
    vocab_size = N_SPECIAL + 256 + len(merges)
    tk = tekken_json(N_SPECIAL + 256)  # the real structure and special tokens, bytes only
    for i, piece in enumerate(merges):
        try:
            token_str: str | None = piece.decode("utf-8")
        except UnicodeDecodeError:
            token_str = None
        tk["vocab"].append({"rank": 256 + i, "token_bytes": base64.b64encode(piece).decode("ascii"), "token_str": token_str})
    tk["config"]["num_vocab_tokens"] = len(tk["vocab"])
    tk["config"]["default_vocab_size"] = vocab_size
    tk["config"]["version"] = "v7-voxtral-dictate-demo"
    return tk


class Tokenizer:
    def __init__(self, tekken: dict):
        self.n_special = tekken["config"]["default_num_special_tokens"]
        self.rank_of = {base64.b64decode(v["token_bytes"]): v["rank"] for v in tekken["vocab"]}
        self.bytes_of = [base64.b64decode(v["token_bytes"]) for v in tekken["vocab"]]
        self.special = {s["token_str"]: s["rank"] for s in tekken["special_tokens"]}
        self.vocab_size = tekken["config"]["default_vocab_size"]

    @classmethod
    def load(cls, path: Path) -> "Tokenizer":
        return cls(json.loads(Path(path).read_text()))

    def special_id(self, name: str) -> int:
        return self.special[name]

    def _encode_piece(self, piece: bytes) -> list[int]:
        parts = [bytes([b]) for b in piece]
        while len(parts) > 1:  # merge the adjacent pair whose result has the lowest rank (tiktoken's rule)
            best = min(
                ((self.rank_of.get(parts[i] + parts[i + 1], None), i) for i in range(len(parts) - 1)),
                key=lambda ri: (ri[0] is None, ri[0] if ri[0] is not None else 0, ri[1]),
            )
            if best[0] is None:
                break
            i = best[1]
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        return [self.rank_of[p] + self.n_special for p in parts]

    def encode(self, text: str) -> list[int]:
        return [t for p in pieces(text) for t in self._encode_piece(p)]

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.bytes_of[i - self.n_special] for i in ids if i >= self.n_special).decode("utf-8", "replace")


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="learn BPE merges from sentences (one per line) and write tekken.json")
    ap.add_argument("sentences")
    ap.add_argument("out")
    ap.add_argument("--merges", type=int, default=800)
    a = ap.parse_args()
    texts = [l for l in Path(a.sentences).read_text().splitlines() if l.strip()]
    Path(a.out).write_text(json.dumps(build_tekken(learn_merges(texts, a.merges)), ensure_ascii=False))


if __name__ == "__main__":
    main()
