"""Reader for the bAbI v1.2 tasks (Weston et al. 2015, arXiv:1502.05698).

Each line is ``ID text``; the ID restarts at 1 where a new story begins. A question line is
``ID question<TAB>answer<TAB>supporting fact IDs``. Supporting IDs name earlier *fact* lines;
we map them to positions in the story as it stands at the question (question lines are not
facts, so they are skipped when counting positions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from askme.errors import AskmeError

UNKNOWN = "unknown"  # the answer to a question its story cannot answer (not bAbI's own)

TASK_NAMES = {
    1: "single-supporting-fact", 2: "two-supporting-facts", 3: "three-supporting-facts",
    4: "two-arg-relations", 5: "three-arg-relations", 6: "yes-no-questions", 7: "counting",
    8: "lists-sets", 9: "simple-negation", 10: "indefinite-knowledge", 11: "basic-coreference",
    12: "conjunction", 13: "compound-coreference", 14: "time-reasoning", 15: "basic-deduction",
    16: "basic-induction", 17: "positional-reasoning", 18: "size-reasoning", 19: "path-finding",
    20: "agents-motivations",
}

_LINE = re.compile(r"(\d+) (.*)")


@dataclass(frozen=True)
class Example:
    """One question with the story as it stands when the question is asked."""

    story: tuple[str, ...]  # fact sentences before the question, in order
    question: str
    answer: str  # as written in the file: a word, or a comma list such as "n,w"
    supports: tuple[int, ...]  # 0-based positions in `story`, in the file's order
    task: int = 0  # bAbI task number, 0 when unknown
    source: str = ""  # "file:line" of the question, for messages
    story_id: int = 0  # ordinal of the story in its file; questions of one story share it
    # A one-sentence story whose supports are words of its sentence (0-based, as split at
    # spaces; "w3" in the file), not facts: its words are the memory's facts.
    word_level: bool = False


class BabiFormatError(AskmeError):
    """A line that is not valid bAbI; the message names the file and the line number."""


def parse_babi(lines, name: str = "<input>", task: int = 0) -> list[Example]:
    """Parse bAbI-format lines into examples; raise BabiFormatError naming `name:line`."""
    examples: list[Example] = []
    facts: list[str] = []
    fact_pos: dict[int, int] = {}  # line id -> position of that fact in `facts`
    last_id = 0
    story_id = -1
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue

        def fail(why: str) -> BabiFormatError:
            return BabiFormatError(f"{name}:{lineno}: {why}: {line[:80]!r}")

        match = _LINE.fullmatch(line)
        if not match:
            raise fail("expected 'ID text'")
        line_id, text = int(match.group(1)), match.group(2)
        if line_id == 1:
            facts, fact_pos = [], {}
            story_id += 1
        elif line_id != last_id + 1:
            raise fail(f"line id {line_id} does not follow {last_id}")
        last_id = line_id
        if "\t" not in text:
            if not text.strip():
                raise fail("empty fact")
            if text.rstrip().endswith("?"):  # else stored as a fact, and answered as one
                raise fail("a question needs a tab, its answer, a tab and its supporting ids")
            fact_pos[line_id] = len(facts)
            facts.append(text.strip())
            continue
        parts = text.split("\t")
        if len(parts) != 3:
            raise fail("a question line needs 'question<TAB>answer<TAB>supporting ids'")
        question, answer, support_text = (p.strip() for p in parts)
        if not question:
            raise fail("empty question")
        if not answer or any(not a.strip() for a in answer.split(",")):
            raise fail("empty answer")
        supports = []
        word_level = support_text.startswith("w")
        for token in support_text.split():
            if word_level:
                number = token[1:]
                if not (token.startswith("w") and number.isdigit()):
                    raise fail(f"supporting word {token!r} is not 'w' and a number")
                if len(facts) != 1:
                    raise fail("supporting words need a story of one sentence")
                if not 1 <= int(number) <= len(facts[0].split()):
                    raise fail(f"supporting word {token} is not a word of the sentence")
                supports.append(int(number) - 1)
                continue
            if not token.isdigit():
                raise fail(f"supporting id {token!r} is not a number")
            if int(token) not in fact_pos:
                raise fail(f"supporting id {token} is not an earlier fact of this story")
            supports.append(fact_pos[int(token)])
        examples.append(Example(tuple(facts), question, answer, tuple(supports), task,
                                f"{name}:{lineno}", story_id, word_level))
    return examples


def read_babi_file(path: str | Path, task: int = 0) -> list[Example]:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_babi(handle, name=str(path), task=task)
    except UnicodeDecodeError as error:
        raise BabiFormatError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        raise AskmeError(f"{path}: cannot read ({error.strerror})")


def parse_tasks(spec: str) -> list[int]:
    """'1-20', '1,2,6' or '1-3,5' -> sorted task numbers, each in 1..20."""
    tasks: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise AskmeError(f"bad task list {spec!r}: use numbers and ranges such as 1-20 or 1,2,6",
                             exit_code=2)
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= 20:
            raise AskmeError(f"bad task list {spec!r}: tasks are numbered 1 to 20", exit_code=2)
        tasks.update(range(low, high + 1))
    return sorted(tasks)


def task_file(folder: str | Path, task: int, split: str) -> Path:
    """The `qa{task}_*_{split}.txt` file of a bAbI folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AskmeError(f"{folder}: no such data folder (expected bAbI files such as qa1_..._{split}.txt)")
    found = sorted(folder.glob(f"qa{task}_*_{split}.txt"))
    if not found:
        hint = " (bAbI en-10k has no task 3 train file: use en/)" if task == 3 else ""
        if (folder / "en").is_dir():  # the folder above bAbI's task folders
            hint = f" (the task files are in {folder / 'en'} and {folder / 'en-10k'})"
        raise AskmeError(f"{folder}: no {split} file for task {task}{hint}")
    return found[0]


_TASK_FILE = re.compile(r"qa(\d+)_.*_(train|test)\.txt")


def file_task(path: str | Path) -> int | None:
    """The task number of a bAbI task file's name (`qa12_conjunction_test.txt`: 12)."""
    match = _TASK_FILE.fullmatch(Path(path).name)
    return int(match.group(1)) if match else None


def tasks_in(folder: str | Path, split: str) -> list[int]:
    """The tasks with a `split` ('train' or 'test') file in a bAbI folder, in order."""
    return sorted({file_task(p) for p in Path(folder).glob(f"qa*_*_{split}.txt")} - {None})


def load_tasks(folder: str | Path, tasks: list[int], split: str) -> dict[int, list[Example]]:
    """Examples of each task's `split` ('train' or 'test') file, by task number."""
    return {task: read_babi_file(task_file(folder, task, split), task=task) for task in tasks}


# bAbI's people, places, objects, animals, colours and shapes: words that can stand for one
# another (askme.training.augment renames among them, askme.dmn.entities hands out slots from them).
# Excluded on purpose: the directions (the compass is what task 19 asks about), the sizes
# of task 18 (box, chest, ...) and the animals of task 15 (their plurals, "sheep", are
# ambiguous).
ENTITY_WORDS: dict[str, tuple[str, ...]] = {
    "actor": ("Mary", "Sandra", "John", "Daniel", "Fred", "Bill", "Jeff", "Julie", "Lily",
              "Julius", "Greg", "Brian", "Bernhard", "Emily", "Gertrude", "Jason", "Antoine",
              "Winona", "Jessica", "Yann", "Sumit"),
    "place": ("kitchen", "bedroom", "office", "garden", "hallway", "bathroom", "school",
              "park", "cinema"),
    "object": ("apple", "football", "milk"),
    "animal": ("swan", "lion", "frog", "rhino"),
    "colour": ("yellow", "white", "green", "gray", "red", "pink", "blue"),
    "shape": ("square", "rectangle", "sphere", "triangle"),
}

# `askme rename`: bAbI's people, places and objects swapped for words bAbI never uses, to
# measure how a model does on entities it never saw (askme.dmn.entities).
RENAMES: dict[str, str] = {
    # people
    "Mary": "Alice", "Sandra": "Bob", "John": "Carol", "Daniel": "Dave", "Fred": "Erin",
    "Bill": "Frank", "Jeff": "Grace", "Julie": "Heidi", "Lily": "Ivan", "Julius": "Judy",
    "Greg": "Mallory", "Brian": "Niaj", "Bernhard": "Olivia", "Emily": "Peggy",
    "Gertrude": "Quentin", "Jason": "Rupert", "Antoine": "Sybil", "Winona": "Trent",
    "Jessica": "Ursula", "Yann": "Victor", "Sumit": "Walter",
    # places
    "kitchen": "library", "bedroom": "attic", "office": "studio", "garden": "orchard",
    "hallway": "corridor", "bathroom": "cellar", "school": "museum", "park": "harbour",
    "cinema": "theatre",
    # objects
    "apple": "umbrella", "football": "laptop", "milk": "guitar",
}


def _renamed(text: str) -> str:
    lower = {k.lower(): v for k, v in RENAMES.items()}

    def swap(match):
        word = match.group()
        new = lower.get(word.lower())
        if new is None:
            return word
        return new[:1].upper() + new[1:] if word[:1].isupper() else new.lower()
    return re.sub(r"[A-Za-z]+", swap, text)


def write_renamed(source: str | Path, target: str | Path, tasks: list[int]) -> list[Path]:
    """Copies of the tasks' test files with every RENAMES word swapped (facts, questions and
    answers; supporting-fact numbers stay). A source that already uses one of the new words
    is refused, so the copy is sure to hold only words bAbI never had."""
    target = Path(target)
    new_words = {v.lower() for v in RENAMES.values()}
    files = [task_file(source, task, "test") for task in tasks]
    renamed = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise AskmeError(f"{path}: cannot read ({error})") from None
        clash = new_words & {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        if clash:
            raise AskmeError(f"{path}: already uses {', '.join(sorted(clash))}, a word the "
                             f"renamed copy brings in")
        renamed.append((path.name, "".join(_renamed(line) for line in text.splitlines(True))))
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in renamed:
            (target / name).write_text(text, encoding="utf-8")
    except OSError as error:
        raise AskmeError(f"{target}: cannot write the renamed copy ({error.strerror})") from None
    return [target / name for name, _ in renamed]
