"""Where askme finds its data, models and user files. Importing this module is cheap."""

from __future__ import annotations

import os
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



def user_data_dir() -> Path:
    """Where memories live: $ASKME_HOME, else $XDG_DATA_HOME/askme (~/.local/share/askme)."""
    home = os.environ.get("ASKME_HOME")
    if home:
        return Path(home).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "askme"


def history_file() -> Path:
    """The chat's line history: $ASKME_HOME/history when ASKME_HOME is set (so one variable
    moves everything askme writes), else $XDG_STATE_HOME/askme/history."""
    home = os.environ.get("ASKME_HOME")
    if home:
        return Path(home).expanduser() / "history"
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base).expanduser() / "askme" / "history"
