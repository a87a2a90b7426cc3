"""What the commands and the chat do, as plain functions: read lines and stories, answer
questions against a list of facts, and explain each answer episode by episode."""

from __future__ import annotations

import array
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from askme.config import MAX_LINE_CHARS, MAX_STORY_BYTES
from askme.entities import EntityMap
from askme.errors import AskmeError

# A sentence ends at . ! or ? followed by space; "Mr. Smith" splits wrongly, which costs a
# fact boundary, never a crash.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BABI_LINE = re.compile(r"^\d+ ")


@dataclass(frozen=True)
class Line:
    kind: str  # "fact", "question", "command" or "blank"
    text: str  # stripped; a command keeps its leading "/"


def split_sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def classify(text: str) -> list[Line]:
    """One typed or piped line as facts, questions or one command.

    A line starting with '/' is a command; otherwise it is split into sentences, and a
    sentence ending in '?' is a question, any other a fact.
    """
    text = text.strip()
    if len(text) > MAX_LINE_CHARS:
        raise AskmeError(f"a line of {len(text):,} characters: the limit is {MAX_LINE_CHARS:,} "
                         f"(askme.config.MAX_LINE_CHARS)")
    if not text:
        return [Line("blank", "")]
    if text.startswith("/"):
        return [Line("command", text)]
    return [Line("question" if s.endswith("?") else "fact", s) for s in split_sentences(text)]


@dataclass
class Explanation:
    """An answer and the evidence: the gates of every memory pass."""

    question: str
    answer: str
    facts: list[str]
    episodes: list[list[float]]  # per pass run: gate per fact, then the end-of-passes gate
    passes: int  # episodes the answer used (the halting pass is not counted)
    halted: bool  # True when a pass chose end-of-passes, False at the max-passes backstop

    def to_json(self) -> dict:
        """Every pass the memory ran, with its gates, and how many of their episodes the
        answer used: the halting pass runs too, but its episode is not used."""
        return {"question": self.question, "answer": self.answer, "facts": self.facts,
                "passes": [{"gates": [round(g, 4) for g in e[:-1]],
                            "end_of_passes": round(e[-1], 4)} for e in self.episodes],
                "episodes_used": self.passes, "halted": self.halted}


def load_model(model: str | Path | None = None):
    """The model `--model` names: a folder, or a shipped model's name; default the shipped
    model (errors are AskmeError)."""
    from askme.checkpoint import load_checkpoint
    from askme.paths import model_folder

    folder, shipped = model_folder(model)
    # A shipped model must match the checksums recorded beside it.
    return load_checkpoint(folder, checksums_required=shipped)


@dataclass
class EncodedFacts:
    """Facts as the model holds them: the user's texts, their encodings (T, H), and the
    entity slots (askme.entities) as they stand after the last fact (None: the model has
    no lexicon, so every word is read as it is)."""

    texts: list[str]
    vectors: Any
    entities: EntityMap | None = None
    # The same facts read for a question about a person (EntityMap.for_person_answers), on
    # demand: a stored memory keeps that reading's encodings too; None encodes it afresh.
    person_reading: Callable[[], "EncodedFacts"] | None = None


def _new_entities(checkpoint, person: bool = False) -> EntityMap | None:
    """Fresh slots for a memory: `person` gives the reading for questions about a person."""
    lexicon = getattr(checkpoint, "lexicon", None)
    if lexicon is None:
        return None
    return EntityMap.for_person_answers(lexicon) if person else EntityMap(lexicon)


def encode_facts(checkpoint, texts: list[str], after: EncodedFacts | None = None,
                 person: bool = False) -> EncodedFacts:
    """`texts` told after the facts of `after` (or at the start of a story), encoded;
    `person`: read for questions about a person (see answer_prefixes)."""
    import torch

    entities = (after.entities.copy() if after and after.entities
                else _new_entities(checkpoint, person))
    if after is not None and after.entities is None and after.texts:
        entities = None  # facts encoded without slots go on without them
    model_texts = entities.rewrite_all(texts) if entities is not None else texts
    last = after.vectors[-1] if after is not None and len(after.vectors) else None
    vectors = encode_more(checkpoint, model_texts, last)
    if after is None:
        return EncodedFacts(list(texts), vectors, entities)
    return EncodedFacts(after.texts + list(texts), torch.cat([after.vectors, vectors]), entities)


def answer_questions(checkpoint, facts: list[str], questions: list[str]) -> list[Explanation]:
    """Answer every question against the same facts, in one batch."""
    if not facts:
        raise AskmeError("no facts in memory yet: tell me some first (type sentences, or load "
                         "a story with 'askme load FILE')")
    encoded = encode_facts(checkpoint, list(facts))
    return answer_prefixes(checkpoint, encoded, [(q, len(facts)) for q in questions])


def answer(checkpoint, facts: list[str], question: str) -> Explanation:
    return answer_questions(checkpoint, facts, [question])[0]


def _explain(checkpoint, cases: list[tuple[list[str], str]]) -> list[Explanation]:
    """Answer (facts, question) pairs in length-sorted batches; every facts list non-empty."""
    from askme.babi import Example
    from askme.evaluation import answer_examples

    examples = [Example(tuple(f), q, "", ()) for f, q in cases]
    return [Explanation(q, a.text, list(f), a.gates, a.passes, halted=a.choices[-1] == len(f))
            for (f, q), a in zip(cases, answer_examples(checkpoint, examples))]


# Questions answered together against one memory: bounded so that the gate features of a
# batch (questions x facts x features) stay around a hundred MB on a long memory.
ANSWER_CELLS = 200_000


def encode_more(checkpoint, texts: list[str], after=None):
    """Encodings (n, H) of facts `texts` (in the model's words) told after a fact encoded as
    `after` (H,), or at the start of a story: the input GRU simply goes on from that state
    (paper, sec. 2.1: one GRU over the whole story), so earlier facts are never read again."""
    import torch

    from askme.data import encode_facts as token_ids

    H = checkpoint.model.config.hidden_dim
    if not texts:
        return torch.empty(0, H)
    story, positions = token_ids(checkpoint.tokenizer, texts)
    h0 = None if after is None else after.view(1, 1, H)
    with torch.no_grad():
        facts, _ = checkpoint.model.encode_story(torch.tensor([story]), torch.tensor([positions]),
                                                 h0)
    return facts[0]


def _blob(vector) -> bytes:
    """A float32 vector as bytes (the array module: no numpy needed, and fast)."""
    return array.array("f", vector.tolist()).tobytes()


def _vectors(blobs: list[bytes], hidden: int):
    import torch

    if not blobs:
        return torch.empty(0, hidden)
    return torch.frombuffer(bytearray(b"".join(blobs)), dtype=torch.float32).view(-1, hidden)


# The store keeps a second reading of a memory, for questions about a person, under the
# model's fingerprint with this suffix.
PERSON_READING = "+person"


def _stored_entities(checkpoint, store, key: str, name: str, last_fact: int
                     ) -> EntityMap | None:
    """The memory's entity slots after fact `last_fact`, if the store kept them."""
    kept = store.entity_map(name, key)
    if kept is None or kept[0] != last_fact:
        return None
    return EntityMap.from_state(checkpoint.lexicon, json.loads(kept[1]))


def memory_facts(checkpoint, store, name: str, person: bool = False) -> EncodedFacts:
    """The memory's facts and their encodings, from the store's cache where it has them;
    facts not yet encoded by this model are encoded now and cached. `person`: the reading
    for a question about a person (see answer_prefixes), cached the same way."""
    import torch

    key = checkpoint.fingerprint and checkpoint.fingerprint + (PERSON_READING if person else "")
    rows = store.fact_rows(name, key)
    texts = [r[1] for r in rows]
    H = checkpoint.model.config.hidden_dim
    cached = 0
    while cached < len(rows) and rows[cached][2] is not None and len(rows[cached][2]) == 4 * H:
        cached += 1
    vectors = _vectors([r[2] for r in rows[:cached]], H)
    entities, uncached = None, texts[cached:]  # the facts to encode, in the model's words
    if checkpoint.lexicon is not None:
        # The slots as kept after the last cached fact go on over the facts after it (the
        # reading for a person falls behind by the facts added since it was last asked for).
        entities = _stored_entities(checkpoint, store, key, name, rows[cached - 1][0]) if (
            cached) else None
        if entities is not None:
            uncached = entities.rewrite_all(uncached)
        else:  # rebuilt fact by fact: the cached prefix reads the same
            entities = _new_entities(checkpoint, person)
            uncached = entities.rewrite_all(texts)[cached:]
            if cached == len(rows) and rows and key:
                store.save_entity_map(name, key, rows[-1][0], json.dumps(entities.state()))
    if cached < len(rows):
        new = encode_more(checkpoint, uncached, vectors[-1] if cached else None)
        if key:
            store.save_encodings(name, key,
                                 [(r[0], _blob(v)) for r, v in zip(rows[cached:], new)],
                                 after=rows[cached - 1][0] if cached else None,
                                 entity_state=entities and json.dumps(entities.state()))
        vectors = torch.cat([vectors, new])
    reading = None if person else (lambda: memory_facts(checkpoint, store, name, person=True))
    return EncodedFacts(texts, vectors, entities, reading)


def add_facts(store, name: str, texts: list[str], checkpoint=None) -> int:
    """Append facts to a stored memory; with a loaded model, also encode them from the last
    fact's cached state (and entity slots), so a long memory grows at the same cost as a
    short one."""
    total = store.add(name, texts)
    if checkpoint is not None and checkpoint.fingerprint and texts:
        rows = store.fact_rows(name, checkpoint.fingerprint, last=len(texts) + 1)
        H = checkpoint.model.config.hidden_dim
        before = rows[:len(rows) - len(texts)]
        if before and before[0][2] is None:
            return total  # the memory is not encoded yet: the next question does it all
        entities = None
        if checkpoint.lexicon is not None:
            entities = (_stored_entities(checkpoint, store, checkpoint.fingerprint, name,
                                         before[0][0]) if before
                        else EntityMap(checkpoint.lexicon))
            if entities is None:
                return total  # the slots were not kept: the next question rebuilds them
        new_texts = [r[1] for r in rows[len(before):]]
        after = _vectors([before[0][2]], H)[0] if before else None
        new = encode_more(checkpoint, entities.rewrite_all(new_texts) if entities else new_texts,
                          after)
        store.save_encodings(name, checkpoint.fingerprint,
                             [(r[0], _blob(v)) for r, v in zip(rows[len(before):], new)],
                             after=before[0][0] if before else None,
                             entity_state=entities and json.dumps(entities.state()))
    return total


def answer_prefixes(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
                    ) -> list[Explanation]:
    """Answer questions (text, k) against the first k facts of one encoded memory, in
    batches: the facts are encoded once however many questions there are. With entity
    slots, each question is read with the memory's slots and its answer written back; a
    question about a person ("Who ...?") reads the memory with the people the model learned
    to answer with (EntityMap.for_person_answers), encoded anew when that reading differs."""
    entities = facts.entities
    person = [entities.lexicon.asks_for_person(q) for q, _ in questions] if entities else []
    if not any(person) or not entities.reads_new_people():  # else both read the same words
        return _answer_reading(checkpoint, facts, questions)
    as_person = (facts.person_reading() if facts.person_reading is not None
                 else encode_facts(checkpoint, facts.texts, person=True))
    out: list[Explanation | None] = [None] * len(questions)
    for flag, read in ((False, facts), (True, as_person)):
        chosen = [i for i, p in enumerate(person) if p == flag]
        for i, explanation in zip(chosen, _answer_reading(checkpoint, read,
                                                          [questions[i] for i in chosen])):
            out[i] = explanation
    return out  # type: ignore[return-value]


def _answer_reading(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
                    ) -> list[Explanation]:
    import torch

    from askme.evaluation import answer_read

    texts, vectors = facts.texts, facts.vectors
    checkpoint.model.eval()
    out: list[Explanation] = []
    longest = max((k for _, k in questions), default=0)
    step = max(1, ANSWER_CELLS // max(longest, 1))
    with torch.inference_mode():
        for start in range(0, len(questions), step):
            chunk = questions[start:start + step]
            counts = [k for _, k in chunk]
            T = max(counts)
            facts_in = vectors[:T].unsqueeze(0).expand(len(chunk), T, -1)
            mask = torch.arange(T).unsqueeze(0) < torch.tensor([[k] for k in counts])
            answers = answer_read(checkpoint, facts_in, mask, counts, [q for q, _ in chunk],
                                  [facts.entities] * len(chunk))
            out.extend(Explanation(question, a.text, texts[:k], a.gates, a.passes,
                                   halted=a.choices[-1] == k)
                       for (question, k), a in zip(chunk, answers))
    return out


@dataclass
class StoryQuestion:
    text: str
    fact_count: int  # the question is asked of the facts before it: facts[:fact_count]
    gold: str | None = None  # the expected answer, in bAbI files
    line: int = 0


@dataclass
class Story:
    kind: str  # "plain" or "babi"
    facts: list[str] = field(default_factory=list)
    questions: list[StoryQuestion] = field(default_factory=list)
    # bAbI only: the facts each question is asked of, when the file holds several stories
    question_facts: list[list[str]] = field(default_factory=list)


def _decoded_lines(name: str, raw: bytes) -> list[str]:
    lines = []
    for number, chunk in enumerate(raw.split(b"\n"), 1):
        if b"\x00" in chunk:
            raise AskmeError(f"{name}:{number}: a NUL byte: this looks like a binary file, "
                             f"not a story")
        try:
            lines.append(chunk.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as error:
            raise AskmeError(f"{name}:{number}: not UTF-8 text (byte {error.start + 1} of the "
                             f"line); save the file as UTF-8") from None
    return lines


def read_story(source: str | Path, stdin=None) -> Story:
    """A story file: bAbI format (numbered lines) or plain text (one sentence per line, or
    prose). The whole file is checked before anything is returned (all or nothing).
    `source` '-' reads `stdin` (a binary stream)."""
    if str(source) == "-":
        name, raw = "<stdin>", read_limited("<stdin>", stdin)
    else:
        name = str(source)
        try:
            with open(source, "rb") as handle:
                raw = read_limited(name, handle)
        except IsADirectoryError:
            raise AskmeError(f"{name}: is a folder, not a story file") from None
        except OSError as error:
            raise AskmeError(f"{name}: cannot read ({error.strerror})") from None
    lines = _decoded_lines(name, raw)
    first = next((line.strip() for line in lines if line.strip()), "")
    if _BABI_LINE.match(first):
        return _babi_story(name, lines)
    return plain_story(name, lines)


def plain_story(name: str, lines: list[str], facts: list[str] | None = None,
                on_command=None) -> Story:
    """Facts and questions from plain lines, after `facts` already known. A command line is
    passed to `on_command(line_number, text)`, or is an error when there is none."""
    story = Story("plain", list(facts or []))
    for number, text in _paragraph_lines(lines):
        try:
            classified = classify(text)
        except AskmeError as error:
            raise AskmeError(f"{name}:{number}: {error}") from None
        for line in classified:
            if line.kind == "command":
                if on_command is None:
                    raise AskmeError(f"{name}:{number}: a command in a story file: "
                                     f"{line.text[:40]!r}")
                on_command(number, line.text)
            elif line.kind == "fact":
                story.facts.append(line.text)
            elif line.kind == "question":
                story.questions.append(StoryQuestion(line.text, len(story.facts), line=number))
    return story


def _paragraph_lines(lines: list[str]):
    """(first line number, text) with prose lines joined: a line that does not end a
    sentence (. ! ? or a closing quote after one) continues on the next line, until a blank
    line. Commands always stand alone."""
    pending, start = [], 0
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith("/") and not pending:
            yield number, text
            continue
        if not text:
            if pending:
                yield start, " ".join(pending)
                pending = []
            continue
        if not pending:
            start = number
        pending.append(text)
        if re.search(r"[.!?][\"'”’)]*$", text):
            yield start, " ".join(pending)
            pending = []
    if pending:
        yield start, " ".join(pending)


def read_limited(name: str, stream) -> bytes:
    """A binary stream's bytes, refused once past MAX_STORY_BYTES (never read whole): a
    file by its size before reading, a pipe after the limit."""
    import os

    try:
        too_big = os.fstat(stream.fileno()).st_size > MAX_STORY_BYTES
    except (OSError, AttributeError, ValueError):  # not a real file: count while reading
        too_big = False
    raw = b"" if too_big else stream.read(MAX_STORY_BYTES + 1)
    if too_big or len(raw) > MAX_STORY_BYTES:
        raise AskmeError(f"{name}: larger than {MAX_STORY_BYTES // 2**20} MB, the limit for a "
                         f"story (askme.config.MAX_STORY_BYTES); split it into smaller files")
    return raw


def read_lines(name: str, stream) -> list[str]:
    """All lines of a binary stream, checked like a story file (UTF-8, no NUL bytes)."""
    return _decoded_lines(name, read_limited(name, stream))


def _babi_story(name: str, lines: list[str]) -> Story:
    from askme.babi import parse_babi

    examples = parse_babi(lines, name=name)
    story = Story("babi")
    # The memory keeps the facts of the file's last story (bAbI restarts numbering at 1).
    current: list[str] = []
    for number, text in enumerate(lines, 1):
        parts = text.strip().split(" ", 1)
        if len(parts) < 2:
            continue
        if parts[0] == "1":
            current = []
        if "\t" not in parts[1]:
            current.append(parts[1].strip())
    story.facts = current
    for example in examples:
        line = int(example.source.rsplit(":", 1)[1]) if ":" in example.source else 0
        story.questions.append(StoryQuestion(example.question, len(example.story),
                                             example.answer, line))
        story.question_facts.append(list(example.story))
    return story


def story_answers(checkpoint, story: Story) -> list[Explanation | None]:
    """Each question of a story answered in place, from the facts before it (None when
    there are none)."""
    if story.question_facts:  # bAbI: each question has its own story
        cases = [(facts, q.text) for facts, q in zip(story.question_facts, story.questions)]
        answered = iter(_explain(checkpoint, [c for c in cases if c[0]]))
        return [next(answered) if facts else None for facts, _ in cases]
    asked = [(q.text, q.fact_count) for q in story.questions if q.fact_count]
    encoded = encode_facts(checkpoint, story.facts[:max((k for _, k in asked), default=0)])
    answered = iter(answer_prefixes(checkpoint, encoded, asked))
    return [next(answered) if q.fact_count else None for q in story.questions]


def write_facts(path: Path, facts: list[str]) -> None:
    """One fact per line, written to a temporary file and renamed: never half a file."""
    from askme.files import write_atomic

    text = "".join(f"{fact}\n" for fact in facts)
    try:
        write_atomic(path.resolve(), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as error:
        raise AskmeError(f"{path}: cannot write ({error.strerror})") from None
