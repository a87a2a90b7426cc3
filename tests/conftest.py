from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def babi_dir() -> Path:
    """A small bAbI-format folder written for these tests (tasks 1, 8 and 19)."""
    return FIXTURES / "babi"
