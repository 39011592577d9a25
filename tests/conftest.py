from pathlib import Path

import pytest

from index.config import SAMPLES_DIR


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR
