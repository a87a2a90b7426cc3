"""Checkpoints as plain data: config.json (with the lexicon of askme.dmn.entities), weights.pt (a
state dict of tensors only, read with ``weights_only=True`` so no arbitrary object is ever
unpickled) and tokenizer.model. Importing this module does not import torch: a checkpoint
loaded for answering (`arrays=True`) never does."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from askme.dmn.config import DMNConfig
from askme.dmn.entities import PHRASE_RULES, Lexicon
from askme.dmn.tokenizer import READING, Tokenizer
from askme.errors import AskmeError
from askme.files import write_atomic

if TYPE_CHECKING:
    from askme.dmn.model import DMN

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
TOKENIZER_FILE = "tokenizer.model"
CHECKSUM_FILE = "SHA256SUMS"  # sha256sum format: "<hex>  <file name>" per line
FORMAT = "askme-dmn-1"


def reads_words(model: str | Path | None) -> bool:
    """Whether the model `--model` names reads a memory of one sentence word by word (its
    config's sentence_words): it is given a sentence of clauses as typed, where a model
    that reads facts is given a fact a clause (askme.stories.split_clauses). A model that
    is missing or unreadable reads facts here; answering with it names the problem."""
    from askme.paths import model_folder

    try:
        folder = model_folder(model)[0]
    except AskmeError:
        return False
    settings = _saved_config(folder).get("model")
    return isinstance(settings, dict) and bool(settings.get("sentence_words"))


def _saved_config(folder: str | Path) -> dict:
    """config.json of the model in `folder`, read without loading the model; {} where there
    is none to read (load_checkpoint says why)."""
    try:
        config = json.loads((Path(folder) / CONFIG_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


@dataclass
class Checkpoint:
    model: Any  # a DMN (torch), or an askme.dmn.arrays.ArrayDMN that only answers
    tokenizer: Tokenizer
    info: dict = field(default_factory=dict)  # how it was trained: tasks, seed, time, scores
    fingerprint: str = ""  # sha256 of the weights and tokenizer files; "" for an unsaved model
    lexicon: Lexicon | None = None  # the training text's words, for entity slots; None: no slots
    # How its passes were supervised (askme.training.options.Supervision as plain data):
    # the trainer's, kept for a later stage to go on with and for scoring free passes.
    supervision: dict = field(default_factory=dict)

    def __post_init__(self):
        # The tokenizer reads converses alike where its model trained so (DMNConfig.converses),
        # wherever a model and its tokenizer are paired: loaded, or in training.
        self.tokenizer.converses = self.model.config.converses


def save_checkpoint(folder: str | Path, model: "DMN", tokenizer: Tokenizer, info: dict | None = None,
                    lexicon: Lexicon | None = None, supervision: dict | None = None):
    import torch

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / WEIGHTS_FILE, lambda p: torch.save(model.state_dict(), p))
        write_atomic(folder / TOKENIZER_FILE, tokenizer.save)
        meta = {"format": FORMAT, "model": model.config.to_dict(), "info": info or {},
                "supervision": supervision or {}}
        if lexicon is not None:
            meta["lexicon"] = lexicon.to_dict()
        text = json.dumps(meta, indent=2)
        write_atomic(folder / CONFIG_FILE, lambda p: Path(p).write_text(text + "\n"))
        write_checksums(folder)
    except OSError as error:
        raise AskmeError(f"{folder}: cannot write the model ({error.strerror})") from None


def write_checksums(folder: Path) -> None:
    sums = "".join(f"{_sha256(folder / name)}  {name}\n"
                   for name in (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE))
    write_atomic(folder / CHECKSUM_FILE, lambda p: Path(p).write_text(sums))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_checksums(folder: Path, required: bool = False) -> None:
    """Check the files against the folder's SHA256SUMS (written by `askme train`): a changed
    or damaged file is named before anything is loaded from it."""
    sums = folder / CHECKSUM_FILE
    if not sums.is_file():
        if required:
            raise AskmeError(f"{sums}: missing, so the model cannot be checked; restore the "
                             f"folder (reinstall askme, or git checkout models/)")
        return
    for line in sums.read_text().splitlines():
        expected, _, name = line.partition("  ")
        path = folder / name
        if name and path.is_file() and _sha256(path) != expected:
            raise AskmeError(f"{path}: does not match its recorded checksum in {CHECKSUM_FILE}: "
                             f"the file was changed or damaged; restore it or retrain")


def saved_info(folder: str | Path) -> dict:
    """How the model in `folder` was trained (config.json's "info"), read without loading
    it; {} where there is none to read (load_checkpoint says why)."""
    info = _saved_config(folder).get("info")
    return info if isinstance(info, dict) else {}


def load_checkpoint(folder: str | Path, checksums_required: bool = False,
                    arrays: bool = False) -> Checkpoint:
    """Load a model folder. Its SHA256SUMS, when present (or when required), is checked
    first. With `arrays`, the model is askme.dmn.arrays.ArrayDMN: it answers as the DMN
    does, on numpy, without importing torch (it cannot train)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AskmeError(f"{folder}: no model folder here (train one with 'askme train')")
    for name in (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE):
        if not (folder / name).is_file():
            raise AskmeError(f"{folder / name}: missing; the model folder is incomplete "
                             f"(retrain with 'askme train' or restore the folder)")
    verify_checksums(folder, required=checksums_required)
    try:
        meta = json.loads((folder / CONFIG_FILE).read_text())
        config = DMNConfig.from_dict(meta["model"])
        lexicon = Lexicon.from_dict(meta["lexicon"]) if "lexicon" in meta else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise AskmeError(f"{folder / CONFIG_FILE}: not an askme model config ({error})") from None
    if meta.get("format") != FORMAT:
        raise AskmeError(f"{folder / CONFIG_FILE}: unknown model format {meta.get('format')!r}")
    tokenizer = Tokenizer.load(folder / TOKENIZER_FILE)
    if tokenizer.vocab_size != config.vocab_size:
        raise AskmeError(f"{folder / TOKENIZER_FILE}: has {tokenizer.vocab_size} pieces but the "
                         f"weights expect {config.vocab_size}; it belongs to another model")
    try:
        if arrays:
            from askme.dmn.arrays import ArrayDMN, load_state

            model = ArrayDMN(config, load_state(folder / WEIGHTS_FILE))
        else:
            import torch

            from askme.dmn.model import DMN

            state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
            model = DMN(config)
            model.load_state_dict(state)
    except Exception as error:  # truncated zip, wrong tensors, unpickling refused
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise AskmeError(f"{folder / WEIGHTS_FILE}: cannot load the weights ({first[:200]}); "
                         f"the file is damaged or from another model: retrain or restore it") from None
    model.eval()
    # Models saved before "supervision" was its own key kept it among the model's settings.
    supervision = meta.get("supervision", meta["model"])
    return Checkpoint(model, tokenizer, meta.get("info", {}), fingerprint(folder, lexicon), lexicon,
                      supervision)


def fingerprint(folder: Path, lexicon: Lexicon | None = None) -> str:
    """Names these exact weights (and entity slots, and how text is read): cached fact
    encodings are only reused by the same model reading the same words the same way."""
    digest = hashlib.sha256(READING.encode() + PHRASE_RULES.encode())
    for name in (WEIGHTS_FILE, TOKENIZER_FILE):
        digest.update((folder / name).read_bytes())
    if lexicon is not None:
        digest.update(json.dumps(lexicon.to_dict(), sort_keys=True).encode())
    return digest.hexdigest()
