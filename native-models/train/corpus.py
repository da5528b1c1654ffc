"""Sentences for the demo model: a dictation-style grammar, random word strings, and held-out text.

Text is written the way the model must output it: sentence case, commas and full stops, so the
demo types text a user would keep. Every word comes from WORDS, so the tokenizer and the acoustic
model see each word in training; held-out *sentences* (and voices) are what evaluation measures.
"""

from __future__ import annotations

import random

NAMES = "anna ben carla david emma frank grace henry julia kevin laura mark nina oscar paul rachel sam tina victor wendy".split()
NOUNS = (
    "report meeting email letter message file document plan budget project team office phone computer screen "
    "window door table chair book paper pen note list idea question answer problem solution result change "
    "update order invoice payment price cost account customer client manager friend family house car train bus "
    "ticket flight hotel room city street road park garden river lake mountain island country world weather "
    "morning afternoon evening night week month year day time minute hour coffee tea water lunch dinner breakfast "
    "music song movie picture photo camera game story news idea doctor teacher student school class lesson test "
    "dictation system voice word sentence text keyboard mouse button light box bag key map fox dog cat bird horse"
).split()
ADJECTIVES = (
    "new old big small long short good bad great little quick slow early late easy hard simple clear "
    "important final first last next other same different whole free full empty open closed ready "
    "happy busy quiet loud bright dark warm cold hot cool fresh clean brown red blue green white black lazy live"
).split()
VERBS = (
    "send read write check open close move find call bring take make share print save start stop finish "
    "book cancel change review sign update fix test clean plan keep show tell ask help need want like"
).split()
TIMES = ["today", "tomorrow", "tonight", "yesterday", "soon", "later", "now", "again", "before lunch", "after lunch",
         "next week", "this morning", "this afternoon", "this evening", "on monday", "on tuesday", "on wednesday",
         "on thursday", "on friday", "on saturday", "on sunday"]
FUNCTION_WORDS = (
    "the a an this that these those my your our their his her its i you we they he she it is are was were be "
    "been am will would can could should may might must do does did have has had not no yes and or but so if "
    "when where what who why how all some any every each more most very too also just only still even here there "
    "to of in on at for with from by about into over under after before up down out off than then please thanks "
    "thank hello hi dear okay sorry sure well let me us know think see look go come get give put say said"
).split()

EXTRA_WORDS = "one two three four five six seven eight nine ten copies asked cancelled jumps dinner end".split()
WORDS = sorted(set(NAMES + NOUNS + ADJECTIVES + VERBS + FUNCTION_WORDS + " ".join(TIMES).split() + EXTRA_WORDS))
QUESTION_STARTS = ("can you ", "could you ", "do you ", "is the ")

TEMPLATES = [
    "please {verb} the {noun} {time}",
    "can you {verb} the {adj} {noun} {time}",
    "i will {verb} the {noun} {time}",
    "we need to {verb} the {adj} {noun} before {time2}",
    "the {adj} {noun} is {adj2}",
    "the {noun} was {adj} and the {noun2} was {adj2}",
    "hello {name}, the {noun} is ready",
    "dear {name}, thank you for the {adj} {noun}",
    "thanks {name}, i will {verb} it {time}",
    "let me know if the {noun} is {adj}",
    "{name} said the {noun} is {adj}",
    "could you {verb} my {noun} and {verb2} the {noun2}",
    "do you want to {verb} the {noun} {time}",
    "this is a {adj} {noun}",
    "i think we should {verb} the {adj} {noun}",
    "my {noun} is in the {noun2}",
    "the {adj} {noun} jumps over the {adj2} {noun2}",
    "sorry, i can not {verb} the {noun} {time}",
    "is the {noun} {adj} or {adj2}",
    "we will {verb} the {noun} with {name} {time}",
]


def _time_without_preposition(rng: random.Random) -> str:
    return rng.choice(["lunch", "dinner", "monday", "friday", "the meeting", "the end of the day", "next week"])


def grammar_sentence(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    return template.format(
        verb=rng.choice(VERBS), verb2=rng.choice(VERBS), noun=rng.choice(NOUNS), noun2=rng.choice(NOUNS),
        adj=rng.choice(ADJECTIVES), adj2=rng.choice(ADJECTIVES), name=rng.choice(NAMES), time=rng.choice(TIMES),
        time2=_time_without_preposition(rng),
    )


def random_word_sentence(rng: random.Random) -> str:
    """Words in no grammatical order, so the model must listen rather than guess from context."""
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))


def sentence_case(raw: str) -> str:
    """'hello anna, the file' -> 'Hello Anna, the file.'; names and 'i' capitalised."""
    names = set(NAMES) | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    words = []
    for w in raw.split(" "):
        core = w.rstrip(",")
        if core in names or core == "i":
            w = core[:1].upper() + w[1:]
        words.append(w)
    text = " ".join(words)
    text = text[:1].upper() + text[1:]
    if text.endswith((".", "?")):
        return text
    return text + ("?" if raw.startswith(QUESTION_STARTS) else ".")


# Held out of training by exact text; the first is the end-to-end test's sentence.
HELD_OUT_SENTENCES = [
    "Hello, this is a live dictation test. The quick brown fox jumps over the lazy dog.",
    "Please send the budget to Laura before lunch.",
    "Can you check the new invoice tomorrow?",
    "I will call the hotel this evening.",
    "The old camera is in the blue box.",
    "Thanks Oscar, the photo is great.",
    "We need to print the final report on friday.",
    "Let me know if the train is late.",
    "My friend said the movie was very long.",
    "Could you open the window and close the door?",
    "Dear Tina, thank you for the quick answer.",
    "The weather is warm and the lake is quiet.",
    "Do you want to share the map with Henry?",
    "I think the meeting should start early.",
    "Sorry, the flight was cancelled again.",
    "This is the last lesson of the week.",
    "Emma will bring the coffee after lunch.",
    "The student asked a simple question.",
    "Please save the document and print two copies.",
    "Is the green bag full or empty?",
]


def held_out_text_set() -> set[str]:
    return set(HELD_OUT_SENTENCES)


def training_sentences(n: int, seed: int, random_fraction: float = 0.3) -> list[str]:
    """n sentence-cased sentences; none equals a held-out sentence."""
    rng = random.Random(seed)
    held = held_out_text_set()
    out: list[str] = []
    while len(out) < n:
        raw = random_word_sentence(rng) if rng.random() < random_fraction else grammar_sentence(rng)
        text = sentence_case(raw)
        if text not in held:
            out.append(text)
    return out


def held_out_generated_sentences(n: int, seed: int, exclude: set[str]) -> list[str]:
    """Fresh grammar sentences that never occur in the training text."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        text = sentence_case(grammar_sentence(rng))
        if text not in exclude and text not in out:
            out.append(text)
    return out
