"""Sentencepiece tokenizer with the reserved ids the DMN needs.

Why sentencepiece: it is trained on our own text in a second, needs no hand-written word
splitting, and with byte fallback any Unicode string encodes (an unseen word becomes
sub-word or byte pieces, never an error).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Callable

import sentencepiece as spm

from askme.converses import fact_conversely, question_conversely
from askme.english import WORD
from askme.errors import AskmeError

PAD_ID = 0  # padding in batches; never attended to
UNK_ID = 1  # unused in practice: byte fallback covers every character
ANSWER_START_ID = 2  # first input of the answer decoder
ANSWER_END_ID = 3  # the decoder emits it after the last answer token
FACT_END_ID = 4  # put after every sentence; the input GRU's state there is the fact c_t
FACT_END_PIECE = "<fact_end>"
MEMO_SIZE = 100_000  # distinct texts whose pieces are remembered (then the memo starts over)
# A fact ends with a full stop and a question with a question mark right after its last word,
# as every bAbI sentence does: what a user ends them with instead ("!", "...", " ?", nothing)
# tells the model nothing, but pieces it never read can throw it off.
FACT_END = re.compile(r"[\s.!;:\u2026]*$")
QUESTION_END = re.compile(r"[\s?!.]*$")
# Emoji and other pictures in text ("Zoe went to the cafe 🏠."), and what joins, tints or
# frames them: the training text has none, and their byte pieces, which the model never
# read, threw a fact off ("Where is Zoe?" answered office, then unknown).
_PICTURE_PARTS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
# Changed whenever encode_fact reads a text other than before: encodings a memory cached
# under an older reading are then made again (askme.dmn.checkpoint.fingerprint).
READING = "as-trained 3"


def _without_pictures(text: str) -> str:
    """`text` without emoji and pictographic symbols (Unicode's "other symbols", the
    non-ASCII modifiers such as skin tones, and _PICTURE_PARTS); a run of spaces they leave
    is one space. Letters, digits, punctuation, currency and maths signs stay."""
    if text.isascii():
        return text
    kept = "".join(c for c in text if c not in _PICTURE_PARTS and not (
        unicodedata.category(c) == "So" or (unicodedata.category(c) == "Sk" and ord(c) > 127)))
    return re.sub(r"\s{2,}", " ", kept) if kept != text else text


def _asked_conversely(question: str) -> str:
    return question_conversely(question)[0]


class Tokenizer:
    """A thin wrapper over a sentencepiece model; serialises to the model's own bytes."""

    def __init__(self, model_proto: bytes):
        self._sp = spm.SentencePieceProcessor()
        self._memo: dict[str, list[int]] = {}
        try:
            self._sp.LoadFromSerializedProto(model_proto)
        except Exception as error:  # sentencepiece raises plain RuntimeError/OSError
            raise AskmeError(f"not a sentencepiece tokenizer ({error})") from None
        if (self._sp.pad_id(), self._sp.bos_id(), self._sp.eos_id(),
                self._sp.piece_to_id(FACT_END_PIECE)) != (PAD_ID, ANSWER_START_ID, ANSWER_END_ID,
                                                         FACT_END_ID):
            raise AskmeError("tokenizer lacks askme's reserved ids (pad, answer start/end, fact end)")
        self.model_proto = model_proto
        self._converses = False

    @property
    def converses(self) -> bool:
        """Whether facts and questions are read with converse relations alike
        (askme.converses), as the model this tokenizer serves trained (DMNConfig.converses)."""
        return self._converses

    @converses.setter
    def converses(self, value: bool) -> None:
        if value != self._converses:
            self._memo.clear()
        self._converses = value

    @classmethod
    def train(cls, texts, vocab_size: int = 1000) -> "Tokenizer":
        """Train a BPE model on an iterable of strings (deduplicated for speed)."""
        unique = sorted({t for t in texts if t.strip()})
        if not unique:
            raise AskmeError("no text to train the tokenizer on")
        proto = io.BytesIO()
        # Byte fallback needs the 256 bytes as pieces, beside every character of the text and
        # the five reserved pieces (padding, unknown, answer start and end, fact end).
        needed = 256 + 5 + len({c for t in unique for c in t})
        if vocab_size < needed:
            raise AskmeError(f"a vocabulary of {vocab_size} pieces is too small for this "
                             f"text: it needs at least {needed} (its 256 bytes, its "
                             f"characters and askme's own pieces); raise vocab_size")
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(unique),
                model_writer=proto,
                model_type="bpe",
                vocab_size=vocab_size,
                hard_vocab_limit=False,  # a small corpus gives fewer pieces; that is fine
                byte_fallback=True,  # any character encodes, through its UTF-8 bytes
                character_coverage=1.0,
                pad_id=PAD_ID, unk_id=UNK_ID, bos_id=ANSWER_START_ID, eos_id=ANSWER_END_ID,
                control_symbols=[FACT_END_PIECE],  # control: never produced from user text
                num_threads=1,  # one thread keeps training reproducible
                minloglevel=2,
            )
        except RuntimeError as error:  # sentencepiece's own checks, in its words
            why = str(error).strip().splitlines()[-1]
            raise AskmeError(f"cannot train the tokenizer: {why}") from None
        return cls(proto.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise AskmeError(f"{path}: cannot read tokenizer ({error.strerror})") from None
        try:
            return cls(data)
        except AskmeError as error:
            raise AskmeError(f"{path}: {error}") from None

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.model_proto)

    @property
    def vocab_size(self) -> int:
        return self._sp.get_piece_size()

    def encode(self, text: str) -> list[int]:
        return self._encoded(text, text)

    def encode_fact(self, text: str) -> list[int]:
        """A fact's pieces, read in the form of the training text (see `as_trained`)."""
        return self._encoded(("fact", text), text, FACT_END, ".",
                             fact_conversely if self._converses else None)

    def fact_words(self, text: str) -> tuple[list[int], list[int]]:
        """A one-sentence story read word by word: its pieces (as encode_fact gives them, but
        with no converse turned round: each word stays where the user wrote it) and
        the index of each word's last piece, words as the sentence splits at spaces (the
        state there has read the whole word)."""
        # Word by word, as written: each word's state is shown on that word.
        ids = self._encoded(("words", text), text, FACT_END, ".")
        pieces = [self._sp.id_to_piece(i) for i in ids]
        starts = [i for i, piece in enumerate(pieces) if i == 0 or piece.startswith("\u2581")]
        return ids, [start - 1 for start in starts[1:]] + [len(ids) - 1]

    def encode_question(self, text: str) -> list[int]:
        """A question's pieces, read in the form of the training text (see `as_trained`)."""
        return self._encoded(("question", text), text, QUESTION_END, "?",
                             _asked_conversely if self._converses else None)

    def _encoded(self, key, text: str, end: re.Pattern | None = None, mark: str = "",
                 turn: Callable[[str], str] | None = None):
        # bAbI stories repeat their facts under every question of the story, and chats
        # repeat names and questions: a small memo makes encoding them nearly free, the
        # converse reading (`turn`) included (the memo starts over when that changes).
        ids = self._memo.get(key)
        if ids is None:
            if turn is not None:
                text = turn(text)
            ids = self._sp.encode(text if end is None else self.as_trained(text, end, mark))
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = ids
        return list(ids)

    def as_trained(self, text: str, end: re.Pattern, mark: str) -> str:
        """`text` ending in `mark` (whatever run of `end` it had), each word that this
        tokenizer splits but knows whole in another case written in that case ("where is
        sandra" -> "Where is Sandra", "GARDEN" -> "garden"), and its first word capitalised
        where the tokenizer knows it so ("is John here" -> "Is John here?"). Words the
        training text used often are whole pieces, so the training text itself reads the
        same (checked on every bAbI sentence)."""
        def known_case(match: re.Match) -> str:
            word = match.group()
            if self._whole(word):
                return word
            for form in (word.lower(), word[:1].upper() + word[1:].lower()):
                if form != word and self._whole(form):
                    return form
            return word
        read = WORD.sub(known_case, end.sub(mark, _without_pictures(text).strip(), count=1))
        # Training sentences start with a capital: "is mary in the kitchen" must read "Is ...",
        # since the "is" the model knows in lower case is the one in the middle of a fact.
        first = WORD.match(read)
        if first:
            capital = first.group()[:1].upper() + first.group()[1:]
            if capital != first.group() and self._whole(capital):
                read = capital + read[first.end():]
        return read

    def _whole(self, word: str) -> bool:
        return self._sp.piece_to_id("\u2581" + word) != self._sp.unk_id()

    def decode(self, ids) -> str:
        return self._sp.decode([int(i) for i in ids if int(i) > FACT_END_ID or int(i) == UNK_ID])

    def encode_answer(self, answer: str) -> list[int]:
        """Answer tokens; each item of a comma list ("apple,football") is encoded as a word
        on its own, so an answer uses the same pieces as the facts that mention it."""
        return self.encode(" , ".join(item.strip() for item in answer.split(",")))

    def decode_answer(self, ids) -> str:
        return re.sub(r"\s*,\s*", ",", self.decode(ids)).strip()
