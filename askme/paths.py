"""Where askme finds its data, models and user files. Importing this module is cheap."""

from __future__ import annotations

from pathlib import Path

from askme.errors import AskmeError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shipped_model_dir() -> Path:
    """The model that commands use when no --model is given: the project's `models/`."""
    return PROJECT_ROOT / "models"


def default_babi_dir() -> Path:
    """`../shared/babi/en` from the working directory, else beside the project checkout."""
    for candidate in (Path("../shared/babi/en"), PROJECT_ROOT.parent / "shared" / "babi" / "en"):
        if candidate.is_dir():
            return candidate
    raise AskmeError("no bAbI folder found at ../shared/babi/en: pass --data DIR", exit_code=2)

