"""A recipe's averaging stage: one model whose weights are the mean of several models'.

Models fine-tuned from the same weights stay in one basin of the loss, so the mean of their
weights (a "uniform model soup", Wortsman et al. 2022) often answers better than any one of
them, evening out what a seed or a data share moves, at no cost when answering.
Only models of one config, tokenizer and lexicon can be averaged.
"""

from __future__ import annotations

from pathlib import Path

from askme.dmn.checkpoint import TOKENIZER_FILE, load_checkpoint, save_checkpoint
from askme.errors import AskmeError


def average_models(folders: list[Path], out: Path, recipe: dict) -> dict:
    """Save into `out` the model whose every weight is the mean of the models' in `folders`
    (the first gives the tokenizer, lexicon and supervision); `recipe` is recorded as a
    trained stage's is. Returns the model's info."""
    import torch

    loaded = [load_checkpoint(folder) for folder in folders]
    first = loaded[0]
    for folder, other in zip(folders[1:], loaded[1:]):
        # The same tokenizer and entity slots, or a weight would mean another word in each.
        same = (other.model.config.to_dict() == first.model.config.to_dict()
                and (folder / TOKENIZER_FILE).read_bytes()
                == (folders[0] / TOKENIZER_FILE).read_bytes()
                and (other.lexicon.to_dict() if other.lexicon else None)
                == (first.lexicon.to_dict() if first.lexicon else None))
        if not same:
            raise AskmeError(f"{folder}: another model config, tokenizer or lexicon than "
                             f"{folders[0]}, so their weights cannot be averaged")
    states = [checkpoint.model.state_dict() for checkpoint in loaded]
    # Summed in float64, so the mean does not depend on the order of the models.
    mean = {key: (torch.stack([state[key].double() for state in states]).mean(0)
                  .to(value.dtype) if value.is_floating_point() else value)
            for key, value in states[0].items()}
    first.model.load_state_dict(mean)
    info = {"tasks": sorted({task for c in loaded for task in c.info.get("tasks", [])}),
            "seed": first.info.get("seed"),
            "averaged": {folder.name: {key: c.info.get(key) for key in
                                       ("seed", "val_accuracy", "train_seconds")}
                         for folder, c in zip(folders, loaded)},
            "train_seconds": round(sum(c.info.get("train_seconds", 0) for c in loaded), 1),
            "options": {**first.info.get("options", {}), "recipe": recipe}}
    save_checkpoint(out, first.model, first.tokenizer, info, first.lexicon, first.supervision)
    return info
