"""What one chat session knows: its memory, its model and the last explanation."""

from __future__ import annotations

from dataclasses import dataclass, field

from askme.dmn.checkpoint import reads_words
from askme.memory.answering import Explanation, load_model
from askme.memory.store import MemoryStore
from askme.paths import DEFAULT_MODEL


@dataclass
class ChatState:
    store: MemoryStore
    memory: str = "default"  # name of the working memory in the store
    model: str | None = None  # --model: a folder or a shipped model's name; None: the default
    episodes: bool = True  # show the episode table after each answer
    last: Explanation | None = None  # for /why and /export
    last_rendered: list = field(default_factory=list)  # what the last answer printed
    done: bool = False  # set by /quit
    _checkpoint: object = None
    _reads_words: dict = field(default_factory=dict)  # model name -> reads_words(model)

    def checkpoint(self):
        """The model, loaded on first use, to answer on numpy (torch is never imported)."""
        if self._checkpoint is None:
            self._checkpoint = load_model(self.model, arrays=True)
        return self._checkpoint

    def cuts_clauses(self) -> bool:
        """Whether a fact told as clauses is stored as a fact a clause: unless the model
        reads a one-sentence memory word by word (askme.dmn.checkpoint.reads_words)."""
        if self.model_name() not in self._reads_words:
            self._reads_words[self.model_name()] = reads_words(self.model)
        return not self._reads_words[self.model_name()]

    def loaded_checkpoint(self):
        """The model if it is loaded already, else None (adding facts never loads it)."""
        return self._checkpoint

    def facts(self) -> list[str]:
        return self.store.facts(self.memory)

    def model_name(self) -> str:
        return self.model or DEFAULT_MODEL
