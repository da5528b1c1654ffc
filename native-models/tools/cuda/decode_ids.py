"""Token ids (transcribe_set's JSON lines) -> text with a tekken.json, as wer.py's hypotheses.

  python3 decode_ids.py TEKKEN.json IDS.jsonl > HYPS.jsonl    # lines {"wav": ..., "text": ...}

Special ids (streaming pad/word markers, EOS) are dropped, as the app's detokenizer does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "train"))
from tokenizer import Tokenizer  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tok = Tokenizer.load(Path(sys.argv[1]))
    for line in Path(sys.argv[2]).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            print(json.dumps({"wav": r["wav"], "text": tok.decode(r["tokens"]).strip()}))


if __name__ == "__main__":
    main()
