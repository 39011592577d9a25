"""Documents for benchmarks: UN General Debate paragraphs from ../shared, or a synthetic fallback."""

import gzip
import json
import random
import re
from pathlib import Path

from .config import PROJECT_ROOT

UN_DEBATES = PROJECT_ROOT.parent / "shared" / "datasets" / "un-general-debates" / "speeches.jsonl.gz"


def un_paragraph_chunks(limit: int, chunk_chars: int = 1900, path: Path = UN_DEBATES):
    """Release-sized chunks of real speeches: ``(text, year, iso3)``.

    A speech's paragraphs are joined while the chunk stays within ``chunk_chars``; the last
    part of each speech is a chunk too, so the corpus gives about one chunk per ``chunk_chars``.
    """
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            speech = json.loads(line)
            chunk: list[str] = []
            size = 0
            for piece in [*_pieces(speech["text"], chunk_chars), None]:
                if chunk and (piece is None or size + len(piece) > chunk_chars):
                    yield "\n\n".join(chunk), speech["year"], speech["country_iso3"]
                    limit -= 1
                    if limit <= 0:
                        return
                    chunk, size = [], 0
                if piece is not None:
                    chunk.append(piece)
                    size += len(piece) + 2


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
    words = (
        "migration migrants border health children return climate labour workers data survey region "
        "government support assistance programme community protection information emergency shelter "
        "trafficking smuggling development remittances integration policy training people country"
    ).split()
    for _ in range(limit):
        text = " ".join(rng.choice(words) for _ in range(300))
        yield text, rng.randint(1970, 2022), rng.choice(["USA", "MEX", "PAN", "HND", "GTM"])


def release_records(n: int, chunk_chars: int = 1900, spanish_share: float = 0.1):
    """``n`` JSON Lines records for benchmarks, and the name of their source.

    Mostly UN General Debate chunks (real English, real year); ``spanish_share`` of them are
    Spanish, made by the sample-multiplying generator: each bundled Spanish sample release
    is repeated with a new id, its year moved within 1990-2024 and its paragraphs rotated,
    so the Spanish analyser, facets and pairing see volume too.
    """
    import datetime as dt

    spanish = _spanish_samples()
    n_spanish = int(n * spanish_share) if spanish else 0
    records = []
    source = "UN General Debates chunks" if UN_DEBATES.exists() else "synthetic English (../shared absent)"
    chunks = un_paragraph_chunks(n - n_spanish, chunk_chars) if UN_DEBATES.exists() else synthetic_chunks(n - n_spanish)
    for i, (text, year, _iso3) in enumerate(chunks):
        title = text.split(". ", 1)[0].strip(" .")[:140] or " ".join(text.split()[:12])[:140]
        day = dt.date(int(year), 1, 1) + dt.timedelta(days=i % 365)
        records.append({"id": f"b{i}", "lang": "en", "date": day.isoformat(), "title": title, "body": text})
    for i in range(n_spanish):
        base = spanish[i % len(spanish)]
        paragraphs = base["body"].split("\n\n")
        turn = i % len(paragraphs)
        day = dt.date(1990 + i % 35, 1, 1) + dt.timedelta(days=(i * 7) % 365)
        records.append(
            {
                "id": f"s{i}",
                "lang": "es",
                "date": day.isoformat(),
                "title": base["title"],
                "body": "\n\n".join(paragraphs[turn:] + paragraphs[:turn]),
            }
        )
    if len(records) < n - n_spanish:  # the corpus ran out: say so rather than report a size not measured
        source += f" (only {len(records):,} chunks available)"
    if n_spanish:
        source += f" + {n_spanish:,} generated Spanish releases"
    return records, source


def _spanish_samples() -> list[dict]:
    from .config import SAMPLES_DIR

    path = SAMPLES_DIR / "releases.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("lang") == "es"]
