"""Where the project keeps its data files and its index, overridable from the environment."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SAMPLES_DIR = DATA_DIR / "samples"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def index_dir() -> Path:
    """The directory holding the index generations (``INDEX_DIR``, default ``var/index``)."""
    return _path_from_env("INDEX_DIR", PROJECT_ROOT / "var" / "index")


def places_file() -> Path:
    """The editable gazetteer (``PLACES_FILE``, default ``data/places.toml``)."""
    return _path_from_env("PLACES_FILE", DATA_DIR / "places.toml")


def topics_file() -> Path:
    """The editable topic taxonomy (``TOPICS_FILE``, default ``data/topics.toml``)."""
    return _path_from_env("TOPICS_FILE", DATA_DIR / "topics.toml")
