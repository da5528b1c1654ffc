"""Checks of the demo model's data pipeline (numpy only), one group per command-line argument.

Run by data-pipeline.test.ts; each group exits non-zero with the failing assertion.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "native-models" / "train"))

import corpus  # noqa: E402
from augment import augment  # noqa: E402
from dataset import load_split, make_example, pad_offline, save_split, special_ids, word_tokens  # noqa: E402
from synth import FRAME, SynthError, Utterance, build_tool, frame_db, synthesize, word_ends  # noqa: E402
from targets import IGNORE, SpecialIds, TargetError, WordTokens, build_targets, due_position, n_positions  # noqa: E402
from tokenizer import Tokenizer, build_tekken, learn_merges  # noqa: E402
from voices import HELD_OUT_LANGUAGES, HELD_OUT_VARIANTS, TRAIN_LANGUAGES, TRAIN_VARIANTS, Voice  # noqa: E402
from wer import corpus_wer, edit_counts, normalise  # noqa: E402

IDS = SpecialIds(bos=1, eos=2, pad=32)


def raises(exc, fn, *args) -> str:
    try:
        fn(*args)
    except exc as e:
        return str(e)
    raise AssertionError(f"{fn.__name__}{args!r} did not raise {exc.__name__}")


def check_targets() -> None:
    # Due positions: 38 + (end - 1) // 1280, i.e. the token holding the word's last sample, 6 tokens on.
    assert due_position(1) == 38 and due_position(1280) == 38 and due_position(1281) == 39
    assert n_positions(1) == 32 + 1 + 17 and n_positions(12800) == 32 + 10 + 17
    n = 10 * 1280
    words = [WordTokens(1000, (1500,)), WordTokens(3000, (1600, 1601, 1602)), WordTokens(3100, (1700,)), WordTokens(9000, (1800, 1801))]
    t = build_targets(n, words, IDS)
    out, inp = t.target_ids, t.input_ids
    assert len(out) == len(inp) == 59
    assert list(t.due_positions) == [38, 40, 40, 45]
    assert np.all(out[:38] == IGNORE), "positions before the first output are not trained"
    # word 0 due at 38; word 1 due at 40 (3 tokens, 40..42); word 2 due at 40 too, queued after word 1 (43);
    # positions 39 and 44 wait with PAD; word 3 due at 45 -> 45, 46; EOS at 47; nothing trained after.
    expected = {38: 1500, 39: 32, 40: 1600, 41: 1601, 42: 1602, 43: 1700, 44: 32, 45: 1800, 46: 1801, 47: 2}
    for p, v in expected.items():
        assert out[p] == v, (p, out[p], v)
    assert np.all(out[48:] == IGNORE)
    # Inputs: BOS, 38 PAD, then what greedy decoding feeds back (the previous position's output).
    assert inp[0] == 1 and np.all(inp[1:39] == 32)
    assert np.array_equal(inp[39:48], out[38:47])
    assert np.all(inp >= 0), "no IGNORE leaks into the inputs"
    # A word ending at the very end of the audio still fits (right pad holds 17 positions).
    last = build_targets(n, [WordTokens(n, tuple(range(1000, 1010)))], IDS)
    assert list(last.target_ids[47:58]) == list(range(1000, 1010)) + [2]
    # Too much text for the positions left: a clear error, not a truncated target.
    assert "audio ends" in raises(TargetError, build_targets, n, [WordTokens(n, tuple(range(1000, 1011)))], IDS)
    assert "after the audio" in raises(TargetError, build_targets, n, [WordTokens(n + 1, (1000,))], IDS)
    assert "not in order" in raises(TargetError, build_targets, n, [WordTokens(5000, (1000,)), WordTokens(1000, (1001,))], IDS)
    assert "no tokens" in raises(TargetError, build_targets, n, [WordTokens(1000, ())], IDS)
    assert "empty" in raises(TargetError, build_targets, 0, [], IDS)
    # No words: PAD until EOS right at the first output position.
    silent = build_targets(n, [], IDS)
    assert silent.target_ids[38] == 2 and np.all(silent.target_ids[39:] == IGNORE)


def check_tokenizer() -> None:
    texts = corpus.training_sentences(400, seed=5)
    merges = learn_merges(texts, 300)
    assert merges == learn_merges(texts, 300), "merges are deterministic"
    assert len(merges) == 300 and len(set(merges)) == 300
    tk = build_tekken(merges)
    assert tk["config"]["default_vocab_size"] == 1000 + 256 + 300
    assert tk["config"]["default_num_special_tokens"] == 1000
    assert [v["rank"] for v in tk["vocab"]] == list(range(556))
    assert base64.b64decode(tk["vocab"][65]["token_bytes"]) == b"A"
    assert base64.b64decode(tk["vocab"][256]["token_bytes"]) == merges[0]
    names = {s["rank"]: s["token_str"] for s in tk["special_tokens"]}
    assert (names[0], names[1], names[2], names[32], names[33]) == ("<unk>", "<s>", "</s>", "[STREAMING_PAD]", "[STREAMING_WORD]")
    assert tk["audio"]["transcription_delay_ms"] == 480 and tk["audio"]["streaming_n_left_pad_tokens"] == 32
    tok = Tokenizer(tk)
    for text in corpus.HELD_OUT_SENTENCES + ["Zebra quixotic, naïve café!"]:
        ids = tok.encode(" " + text)
        assert all(1000 <= i < tok.vocab_size for i in ids)
        assert tok.decode(ids) == " " + text
        # Word by word (what the targets use) gives exactly the whole-text encoding.
        per_word = [i for w in text.split(" ") for i in tok.encode(" " + w)]
        assert per_word == ids, text
    # Frequent words became single tokens with their leading space.
    assert len(tok.encode(" the")) == 1 and len(tok.encode(" the")) < len(" the")


def check_wer() -> None:
    assert normalise("Hello, World! It's OK.") == ["hello", "world", "it's", "ok"]
    assert edit_counts("a b c d".split(), "a x c d e".split()) == (1, 0, 1)
    assert edit_counts("a b c".split(), "b c".split()) == (0, 1, 0)
    assert edit_counts([], []) == (0, 0, 0)
    r = corpus_wer([("The cat sat.", "the cat sat"), ("on the mat", "on a mat today")])
    assert (r["words"], r["substitutions"], r["insertions"], r["deletions"]) == (6, 1, 1, 0)
    assert abs(r["wer"] - 2 / 6) < 1e-12


def check_corpus_and_voices() -> None:
    held = set(corpus.HELD_OUT_SENTENCES)
    train = corpus.training_sentences(3000, seed=11)
    assert not held & set(train), "held-out sentences never appear in training text"
    assert corpus.training_sentences(50, seed=3) == corpus.training_sentences(50, seed=3)
    for text in train[:500] + corpus.HELD_OUT_SENTENCES:
        assert text[0].isupper() and text[-1] in ".?", text
        for w in normalise(text):
            assert w in corpus.WORDS, (w, text)
    extra = corpus.held_out_generated_sentences(40, seed=4, exclude=set(train))
    assert len(set(extra)) == 40 and not set(extra) & set(train)
    assert not set(HELD_OUT_LANGUAGES) & set(TRAIN_LANGUAGES) and not set(HELD_OUT_VARIANTS) & set(TRAIN_VARIANTS)
    assert Voice("en-us", "f3", 170, 50, 50).job_prefix() == "en-us+f3\t170\t50\t50\t"


def _espeak(jobs):
    tmp = Path(tempfile.mkdtemp())
    return synthesize(build_tool(tmp / "bin"), jobs, None, workers=2)


def check_synthesis() -> None:
    # Isolated words: each start must sit in the pause before the word's sound, and its end where the sound stops.
    text = "One. Two. Three. Four. Five."
    voices = [Voice(lang, var, rate, 50, 50) for lang, var, rate in (("en-us", "", 175), ("en", "f3", 140), ("en-gb-x-rp", "m3", 220))]
    results = _espeak([(v.job_prefix(), text) for v in voices])
    for v, u in zip(voices, results):
        assert isinstance(u, Utterance), u
        assert len(u.word_starts) == 5 and np.all(np.diff(u.word_starts) > 0)
        db = frame_db(u.audio)
        floor = db.max() - 35.0
        for k in range(1, 5):  # the first word's event is at 0 by construction
            s, e = int(u.word_starts[k]) // FRAME, int(u.word_ends[k]) // FRAME
            before = db[max(0, s - 8) : s - 1]
            assert np.all(before < floor), (v.name, k, "word start is not preceded by a pause")
            onset = s + int(np.argmax(db[s:] > floor))
            assert onset - s <= 8, (v.name, k, f"sound starts {10 * (onset - s)} ms after the word event")
            assert db[e - 1] > floor and np.all(db[e : e + 5] < floor), (v.name, k, "word end is not where the sound stops")
    # Continuous speech: ends after starts and before the next unit's start; espeak speaks "in the" as one
    # unit (one word event), so those two words share the unit's start and end.
    u = _espeak([("en-us\t170\t50\t50\t", "My game is in the email.")])[0]
    assert isinstance(u, Utterance)
    assert np.all(u.word_ends > u.word_starts) and np.all(np.diff(u.word_ends) >= 0)
    for k in range(len(u.word_starts)):
        later = u.word_starts[u.word_starts > u.word_starts[k]]
        assert not len(later) or u.word_ends[k] <= later.min(), (k, u.word_starts, u.word_ends)
    assert len(u.audio) / 16000 < 3.0
    # Bad jobs: a clear per-job error, the other jobs unaffected.
    bad = _espeak([("no-such-voice\t170\t50\t50\t", "Hello."), ("en-us\t170\t50\t50\t", "Hello there.")])
    assert isinstance(bad[0], SynthError) and "unknown voice" in str(bad[0]) and isinstance(bad[1], Utterance)
    assert "tabs or newlines" in raises(ValueError, synthesize, Path("/nonexistent"), [("en\t1\t1\t1\t", "a\tb")], None)
    # word_ends on synthetic energy: a burst, silence, a burst.
    audio = np.zeros(16000, np.float32)
    audio[1600:4800] = 0.5
    audio[9600:12800] = 0.5
    assert list(word_ends(audio, np.array([1600, 9600]))) == [4800, 12800]


def check_augment_and_examples() -> None:
    rng = np.random.default_rng(1)
    clean = (0.5 * np.sin(2 * np.pi * 300 * np.arange(16000) / 16000)).astype(np.float32)
    for seed in range(20):
        out, lead = augment(clean, np.random.default_rng(seed))
        assert out.dtype == np.float32 and np.all(np.abs(out) <= 1.0)
        assert 0 <= lead <= 0.8 * 16000 and len(out) >= len(clean) + lead
        # The speech sits at `lead`: correlation with the clean signal peaks there.
        seg = out[lead : lead + len(clean)].astype(np.float64)
        corr = np.dot(seg, clean) / (np.linalg.norm(seg) * np.linalg.norm(clean) + 1e-12)
        assert corr > 0.5, (seed, corr)
    assert augment(np.zeros(100, np.float32), rng)[0].max() == 0.0, "silence stays silence (no noise scaled from nothing)"

    # A real split through save/load, tokenizer and targets.
    texts = ["Please send the report today.", "Hello Anna, the file is ready."]
    utts = _espeak([("en-us\t170\t50\t50\t", t) for t in texts])
    with tempfile.TemporaryDirectory() as tmp:
        save_split(Path(tmp) / "s", utts, ["en-us", "en-us"])
        split = load_split(Path(tmp) / "s")
        assert split.texts == texts and np.allclose(split.clean_audio(1), utts[1].audio, atol=1 / 32768)
        tok = Tokenizer(build_tekken(learn_merges(corpus.training_sentences(300, 2), 200)))
        for i in range(2):
            for r in (None, np.random.default_rng(i)):
                ex = make_example(split, i, tok, r)
                t = ex.targets
                assert len(ex.padded_audio) == 1280 * len(t.target_ids)
                text_ids = [int(x) for x in t.target_ids if x >= 1000]
                assert tok.decode(text_ids) == " " + texts[i]
                assert int(np.sum(t.target_ids == 2)) == 1
        # A corrupt split is refused by name.
        meta = json.loads((Path(tmp) / "s.json").read_text())
        meta["texts"][0] += " extra"
        (Path(tmp) / "s.json").write_text(json.dumps(meta))
        assert "word ends" in raises(ValueError, load_split, Path(tmp) / "s")
    assert len(pad_offline(np.zeros(1, np.float32))) == 1280 * n_positions(1)
    assert special_ids(tok) == IDS
    assert [w.end_sample for w in word_tokens("a b", np.array([10, 20]), tok, shift=5)] == [15, 25]


def dump_streams(out_dir: str) -> None:
    """For the TypeScript test: a tekken.json and target streams of held-out sentences."""
    tok_json = build_tekken(learn_merges(corpus.training_sentences(500, 9), 400))
    tok = Tokenizer(tok_json)
    Path(out_dir, "tekken.json").write_text(json.dumps(tok_json, ensure_ascii=False))
    streams = []
    for k, text in enumerate(corpus.HELD_OUT_SENTENCES):
        words = text.split(" ")
        ends = [int((j + 1) * 4000 + 500 * (k % 3)) for j in range(len(words))]
        t = build_targets(ends[-1] + 3000, word_tokens(text, np.array(ends), tok), special_ids(tok))
        streams.append({"text": text, "targets": [int(x) for x in t.target_ids if x != IGNORE]})
    Path(out_dir, "streams.json").write_text(json.dumps(streams))


if __name__ == "__main__":
    group = sys.argv[1]
    if group == "dump-streams":
        dump_streams(sys.argv[2])
    else:
        globals()[f"check_{group.replace('-', '_')}"]()
    print(f"{group}: ok")
