"""Where askme finds its models, the bAbI tasks and the user's files. Importing this module is
cheap."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from askme.errors import AskmeError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "everyday"  # the shipped model that commands use when no --model is given
BABI_ENV = "ASKME_BABI"  # a bAbI folder holding en/ (and en-10k/), as `askme data fetch` writes


def shipped_models() -> dict[str, Path]:
    """The models built into askme, by name: the folders of the package askme.models (the
    checkout's top-level models/, which the wheel carries as package data)."""
    try:
        root = Path(str(files("askme.models")))
    except ModuleNotFoundError:  # run from a checkout that was never installed
        root = PROJECT_ROOT / "models"
    return {folder.name: folder for folder in sorted(root.iterdir())
            if (folder / "config.json").is_file()}


def shipped_model_dir(name: str = DEFAULT_MODEL) -> Path:
    return shipped_models()[name]


def model_folder(given: str | Path | None) -> tuple[Path, bool]:
    """The folder `--model` names, and whether it is a shipped model (whose checksums must
    match). A folder on disk comes first; otherwise the name of a shipped model."""
    if given is None:
        return shipped_model_dir(), True
    path = Path(given).expanduser()
    if path.is_dir():
        return path, False
    shipped = shipped_models()
    if str(given) in shipped:
        return shipped[str(given)], True
    raise AskmeError(f"{given}: no model folder here, nor a shipped model of that name "
                     f"(shipped: {', '.join(shipped)}); train one with 'askme train'")


def user_data_dir() -> Path:
    """Where memories and bAbI live: $ASKME_HOME, else $XDG_DATA_HOME/askme
    (~/.local/share/askme)."""
    home = os.environ.get("ASKME_HOME")
    if home:
        return Path(home).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "askme"


def user_babi_dir() -> Path:
    """Where `askme data fetch` puts the bAbI task files (en/ and en-10k/)."""
    return user_data_dir() / "babi"


def babi_root() -> Path:
    """The bAbI folder (holding en/ and en-10k/) that --data defaults to, looked for in this
    order: $ASKME_BABI, the user data folder, ../shared/babi beside a checkout of askme."""
    given = os.environ.get(BABI_ENV)
    if given:
        root = Path(given).expanduser()
        if not (root / "en").is_dir():
            raise AskmeError(f"{BABI_ENV}={given}: no en/ folder of bAbI task files there; "
                             f"point it at the folder holding en/, or run 'askme data fetch'")
        return root
    candidates = [user_babi_dir()]
    if (PROJECT_ROOT / "pyproject.toml").is_file():  # a checkout, not an installed wheel
        candidates.append(PROJECT_ROOT.parent / "shared" / "babi")
    for root in candidates:
        if (root / "en").is_dir():
            return root
    raise AskmeError("no bAbI tasks found: run 'askme data fetch' to download them, "
                     "or pass --data DIR", exit_code=2)


def default_babi_dir() -> Path:
    """The bAbI 1k folder (en/) that --data defaults to."""
    return babi_root() / "en"


def history_file() -> Path:
    """The chat's line history: $ASKME_HOME/history when ASKME_HOME is set (so one variable
    moves everything askme writes), else $XDG_STATE_HOME/askme/history."""
    home = os.environ.get("ASKME_HOME")
    if home:
        return Path(home).expanduser() / "history"
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base).expanduser() / "askme" / "history"
