"""Documents for benchmarks: UN General Debate paragraphs from ../shared, or a synthetic fallback."""

import gzip
import json
import random
import re
from pathlib import Path

from .config import PROJECT_ROOT

UN_DEBATES = PROJECT_ROOT.parent / "shared" / "datasets" / "un-general-debates" / "speeches.jsonl.gz"


def un_paragraph_chunks(limit: int, chunk_chars: int = 1900, path: Path = UN_DEBATES):
    """Release-sized chunks of real speeches: ``(text, year, iso3)``; paragraphs joined up to ``chunk_chars``."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            speech = json.loads(line)
            chunk = []
            size = 0
            for piece in _pieces(speech["text"], chunk_chars):
                chunk.append(piece)
                size += len(piece)
                if size >= chunk_chars:
                    yield "\n\n".join(chunk), speech["year"], speech["country_iso3"]
                    limit -= 1
                    if limit <= 0:
                        return
                    chunk, size = [], 0


def _pieces(text: str, limit: int):
    """Paragraphs, with any longer than ``limit`` cut at sentence ends."""
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        while len(paragraph) > limit:
            cut = paragraph.rfind(". ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            yield paragraph[:cut]
            paragraph = paragraph[cut:].lstrip()
        if paragraph:
            yield paragraph


def synthetic_chunks(limit: int, seed: int = 7):
    """Random English-like text, for machines without ../shared (said so in the output)."""
    rng = random.Random(seed)
    words = ("migration migrants border health children return climate labour workers data survey region "
             "government support assistance programme community protection information emergency shelter "
             "trafficking smuggling development remittances integration policy training people country").split()
    for _ in range(limit):
        text = " ".join(rng.choice(words) for _ in range(300))
        yield text, rng.randint(1970, 2022), rng.choice(["USA", "MEX", "PAN", "HND", "GTM"])
