"""espeak-ng voices for the demo data: accents (languages) x variants, with a held-out set never trained on."""

from __future__ import annotations

import random
from dataclasses import dataclass

TRAIN_LANGUAGES = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029"]
HELD_OUT_LANGUAGES = ["en-gb-x-gbcwmd", "en-gb-x-gbclan"]
TRAIN_VARIANTS = (
    " m1 m2 m3 m4 m5 m6 f1 f2 f3 f5 klatt klatt2 klatt4 klatt5 Alex Andrea Andy Annie Denis Gene Hugo Jacky Lee "
    "Marco Mario Michael Mike adam anika aunty belinda benjamin boris caleb david ed edward grandma grandpa iven "
    "iven2 john linda max michel norbert paul pedro quincy rob robert sandro shelby steph travis victor zac"
).split(" ")  # the leading "" is the language's own default voice
HELD_OUT_VARIANTS = "m7 m8 f4 klatt3 klatt6 Alicia steph2 iven3 edward2 Gene2".split()


@dataclass(frozen=True)
class Voice:
    language: str
    variant: str
    rate_wpm: int
    pitch: int  # espeak 0..100
    pitch_range: int  # espeak 0..100

    @property
    def name(self) -> str:
        return self.language + (f"+{self.variant}" if self.variant else "")

    def job_prefix(self) -> str:
        return f"{self.name}\t{self.rate_wpm}\t{self.pitch}\t{self.pitch_range}\t"


def random_voice(rng: random.Random, held_out: bool) -> Voice:
    languages = HELD_OUT_LANGUAGES if held_out else TRAIN_LANGUAGES
    variants = HELD_OUT_VARIANTS if held_out else TRAIN_VARIANTS
    return Voice(
        language=rng.choice(languages),
        variant=rng.choice(variants),
        rate_wpm=rng.randint(120, 230),
        pitch=rng.randint(15, 85),
        pitch_range=rng.randint(10, 90),
    )
