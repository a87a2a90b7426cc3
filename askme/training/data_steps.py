"""Data steps: copies of a bAbI folder whose training stories a recipe changes on purpose.

A recipe stage names them (`data_steps = ["where_questions"]`); each writes a copy of the
folder before it, test files unchanged, and keeps every story, so a run carves the same
validation stories from the copy as from the original.
"""

from __future__ import annotations

import functools
import inspect
import random
import re
import shutil
from pathlib import Path

# "Mary went to the kitchen.", "John journeyed back to the office.": a person's move.
_MOVE = re.compile(r"^([A-Z]\w*) \w+(?: back)? to the (\w+)\.$")
# Anything a generated story tells of where someone is (read through the entity slots):
# "Mary is now in the kitchen.", "Then Mary strolled over to the garden.", "Mary took the
# train to the office.", "Afterwards, she arrived at the hallway." _MOVE misses all of these,
# and its question then answered with the place before.
_OPENER = r"(?:(?:Then|Next|Later|Afterwards) |[A-Z][\w ]*, )?"  # "Then ", "A bit later, "
_PLACED = re.compile(rf"^{_OPENER}(?P<who>[A-Za-z]\w*) (?:.* )?(?:to|in|at|into) the "
                     r"(?P<place>\w+)\.$")
_ENDS_AT_A_PLACE = re.compile(r" (?:to|in|at|into) the [\w ]+\.$")  # "the dining room." too
_PRONOUNS = {"he", "she", "they", "it"}
_ARTICLES = {"the", "a", "an"}
WHERE_TASKS = (2, 3, 5, 6, 7, 8)  # tasks that carry things or give them, and never ask where


def _placed(text: str, last_move: dict[str, tuple[str, int]], number: int) -> None:
    """where_questions_told's reading of one fact into `last_move`: a person's place told in
    any form. A place told of a pronoun, whose person it cannot tell, forgets everyone; one
    told in a form it cannot read ("Eventually, Mary ...") forgets whom the fact names."""
    placed = _PLACED.match(text)
    if placed and placed["who"].lower() not in _ARTICLES | _PRONOUNS:
        last_move[placed["who"]] = (placed["place"], number)
        return
    if not placed and not _ENDS_AT_A_PLACE.search(text):
        return  # no place told
    words = set(re.findall(r"\w+", text.lower()))
    if not _PRONOUNS.isdisjoint(words):
        last_move.clear()
    else:
        for person in [p for p in last_move if p.lower() in words]:
            del last_move[person]


def add_where_questions(lines: list[str], rng: random.Random, told: bool = False
                        ) -> tuple[list[str], int]:
    """A bAbI file's lines with a where-question before every question of a story that has
    moved someone, the lines renumbered (supports too); and how many were added. `told`:
    read every way a generated story tells a place (_PLACED), not bAbI's moves alone."""
    out: list[str] = []
    added = number = 0
    last_move: dict[str, tuple[str, int]] = {}  # person -> (place, line) in the new numbering
    renumbered: dict[int, int] = {}
    for line in lines:
        old, text = line.split(" ", 1)
        if old == "1":  # a new story
            last_move, number, renumbered = {}, 0, {}
        if "\t" in text:
            question, answer, supports = text.split("\t")
            if supports.startswith("w"):  # a one-sentence story, its words supporting: as is
                number += 1
                out.append(f"{number} {text}")
                continue
            if last_move:
                person = rng.choice(sorted(last_move))
                place, where = last_move[person]
                number += 1
                out.append(f"{number} Where is {person}?\t{place}\t{where}")
                added += 1
            number += 1
            new_supports = " ".join(str(renumbered[int(s)]) for s in supports.split())
            out.append(f"{number} {question}\t{answer}\t{new_supports}")
        else:
            number += 1
            renumbered[int(old)] = number
            out.append(f"{number} {text}")
            if told:
                _placed(text, last_move, number)
                continue
            move = _MOVE.match(text)
            if move:
                last_move[move.group(1)] = (move.group(2), number)
    return out, added


def where_questions(source: Path, target: Path, tasks=WHERE_TASKS, told: bool = False
                    ) -> dict[str, int]:
    """bAbI asks where a person is only in task 1 (people moving, nothing carried), so a
    model can learn to answer "Where is Priya?" after "Priya gave the kettle to Tariq." with
    a place the story never names. Before each question of these tasks' training stories
    this asks where a person the story has moved so far is (chosen at random, one fixed
    generator a file), answered with their last place and supported by that move: what
    bAbI's own generator would have written. Returns the questions added per file."""
    asking = {path.name for task in tasks for path in Path(source).glob(f"qa{task}_*_train.txt")}

    def change(path: Path) -> int:
        # Each file its own generator, so a file's questions do not depend on the others.
        lines, added = add_where_questions(path.read_text().splitlines(),
                                           random.Random(f"where {path.name}"), told)
        (target / path.name).write_text("\n".join(lines) + "\n")
        return added

    return _copy_changing(source, target, asking, change)


_TURN = {"north": "east", "east": "south", "south": "west", "west": "north"}
_DIRECTION = re.compile(r"\b(north|east|south|west)\b")


def _turn(text: str) -> str:
    return _DIRECTION.sub(lambda m: _TURN[m.group(1)], text)


def turn_second_facts(lines: list[str]) -> tuple[list[str], int]:
    """A task 4 file's lines with every other story's second fact (and a question it
    supports) turned; and how many stories were turned."""
    out: list[str] = []
    story = turned = 0
    for line in lines:
        number, text = line.split(" ", 1)
        if number == "1":
            story += 1
        turning = story % 2 == 0
        if turning and number == "2" and "\t" not in text:
            text = _turn(text)
            turned += 1
        elif turning and "\t" in text:
            question, answer, supports = text.split("\t")
            if supports.split() == ["2"]:
                text = f"{_turn(question)}\t{answer}\t{supports}"
        out.append(f"{number} {text}")
    return out, turned


def turned_directions(source: Path, target: Path) -> dict[str, int]:
    """bAbI's task 4 never tells two facts at right angles (of its 1,000 training stories,
    416 tell two places in opposite directions of a third, 461 a chain in one direction,
    123 other opposite pairs), so "The kitchen is north of the garden. What is the garden
    east of?" is a guess for a model trained on it. This turns the second fact of every
    other task 4 training story a quarter clockwise, and the question's direction with it
    when that fact supports it; the answer stays. Returns the stories turned per file."""

    def change(path: Path) -> int:
        lines, turned = turn_second_facts(path.read_text().splitlines())
        (target / path.name).write_text("\n".join(lines) + "\n")
        return turned

    turning = {path.name for path in Path(source).glob("qa4_*_train.txt")}
    return _copy_changing(source, target, turning, change)


# "Mary went ...", "Mary and John journeyed ...": a named person's (or pair's) event, the
# sentences a sequence word may open in English without changing what they say.
_EVENT = re.compile(r"^([A-Z][a-z]+(?: and [A-Z][a-z]+)?) (went|journeyed|moved|travelled|got"
                    r"|grabbed|picked|took|dropped|discarded|put|left|gave|handed|passed)\b")
SEQUENCED = 0.3  # of the named events after a story's first fact


def add_sequence_words(lines: list[str], rng: random.Random) -> tuple[list[str], int]:
    """A bAbI file's lines with about SEQUENCED of the named events after each story's
    first line told with a sequence word ("Then Mary went to the kitchen.", "Mary then
    went ..."); and how many were."""
    from askme.training.generator.words import SEQUENCE

    out, told = [], 0
    for line in lines:
        number, text = line.split(" ", 1)
        event = _EVENT.match(text) if number != "1" and "\t" not in text else None
        if event and rng.random() < SEQUENCED:
            subject, rest = event.group(1), text[event.end(1):]
            if rng.random() < 0.25:
                text = f"{subject} {rng.choice(('then', 'later'))}{rest}"
            else:
                text = f"{rng.choice(SEQUENCE)} {subject}{rest}"
            told += 1
        out.append(f"{number} {text}")
    return out, told


def sequence_words(source: Path, target: Path) -> dict[str, int]:
    """bAbI never opens a named person's sentence with a sequence word: "Then" comes before
    a pronoun alone (tasks 11, 13), so a model trained on it reads "Then Sandra went to the
    garden." as no news of Sandra (everyday answered 9 of 64 such stories right). This tells
    about SEQUENCED of each training story's named events after its first line with one
    (askme.training.generator.words.SEQUENCE, or "then"/"later" after the name); the facts,
    their order and every question stay. Task 14 keeps its stories: they are told out of
    order, their times said ("Yesterday Julie went ..."). Returns the facts changed per file."""
    from askme.babi import file_task

    def change(path: Path) -> int:
        lines, told = add_sequence_words(path.read_text().splitlines(),
                                         random.Random(f"sequence {path.name}"))
        (target / path.name).write_text("\n".join(lines) + "\n")
        return told

    telling = {path.name for path in Path(source).glob("qa*_*_train.txt")
               if file_task(path) != 14}
    return _copy_changing(source, target, telling, change)


def babi_10k(source: Path, target: Path, tasks=None) -> dict[str, int]:
    """Each task's training file (of `tasks`; None: all) from bAbI's 10k set (`en-10k/`
    beside `source`, so it is a stage's first step), whose first stories are the 1k set's
    own; a task the 10k set lacks keeps its 1k file. Test files stay as they are (the two
    sets share them). Returns the stories per file taken from the 10k set."""
    from askme.babi import file_task
    from askme.errors import AskmeError

    tenk = Path(source).parent / "en-10k"
    if not tenk.is_dir():
        raise AskmeError(f"babi_10k: no en-10k folder beside {source}; 'askme data fetch' "
                         f"downloads it")

    def change(path: Path) -> int:
        text = (tenk / path.name).read_text()
        (target / path.name).write_text(text)
        return sum(line.startswith("1 ") for line in text.splitlines())

    taking = {path.name for path in Path(source).glob("qa*_*_train.txt")
              if (tenk / path.name).is_file() and (tasks is None or file_task(path) in tasks)}
    return _copy_changing(source, target, taking, change)


EVERYDAY_STORIES = 1000  # stories of our own added to each task's training file


def everyday_english(source: Path, target: Path, stories: int = EVERYDAY_STORIES
                     ) -> dict[str, int]:
    """Each task's training stories, then `stories` more of the same task type told the way
    people write, with questions a story cannot answer (askme.training.generator; one
    seed a task, so a rerun writes the same). bAbI's own stories stay first and unchanged.
    Returns the questions added per file."""
    from askme.training.generator import generate

    return _appending(source, target, lambda task: generate(task, stories, seed=task))


def read_through_slots(lines: list[str], lexicon) -> list[str]:
    """Generated bAbI-format stories as a model of `lexicon` reads a user's: each story's
    facts through one EntityMap, fact by fact, each question through a copy of it, and the
    answer in the slot words the map gave (askme.memory.answering reads a memory so, and
    also reads phrases such as "the meeting room" as one entity: EntityMap.phrases)."""
    from askme.dmn.entities import WORD, EntityMap

    out, slots = [], None
    for line in lines:
        number, text = line.split(" ", 1)
        if number == "1":
            slots = EntityMap(lexicon, phrases=False)
        if "\t" not in text:
            out.append(f"{number} {slots.rewrite(text)}")
            continue
        question, answer, supports = text.split("\t")
        said = slots.copy().rewrite(question, question=True)
        # A person's slot is said as the model learned the name ("Mary", not "mary").
        answer = WORD.sub(lambda m: _slot_form(slots, m.group()), answer)
        out.append(f"{number} {said}\t{answer}\t{supports}")
    return out


def _slot_form(slots, word: str) -> str:
    slot = slots.forward.get(word.lower())
    return word if slot is None else slots.lexicon.names.get(slot, slot)


def everyday_slots(source: Path, target: Path, stories: int = EVERYDAY_STORIES, *,
                   lexicon) -> dict[str, int]:
    """everyday_english's stories read through entity slots: their people, places and
    things become bAbI's own words, and a verb of motion bAbI never used becomes its own,
    as the slots of `lexicon` (the one the model trained on them reads with) read them. So
    the generator teaches ways of telling and unanswerable questions, while the answers stay
    words the decoder says often (70-odd generated places are too rare to learn to say)."""
    from askme.training.generator import generate

    return _appending(source, target, lambda task: read_through_slots(
        generate(task, stories, seed=task), lexicon))


THINGS_STORIES = 2000  # stories of things put here and there, added to task 1's training file


def things_placed(source: Path, target: Path, stories: int = THINGS_STORIES, *,
                  lexicon) -> dict[str, int]:
    """Task 1's training stories, then `stories` whose subjects are things ("The keys are on
    the table.", askme.training.generator.things), read through entity slots as
    everyday_slots reads its stories (read raw, they taught words a user's memory never
    reaches the model in: docs/everyday-english.md). Returns the questions added."""
    from askme.training.generator.things import generate_things

    return _appending(source, target, lambda task: read_through_slots(
        generate_things(stories, seed=1), lexicon), {1})


DROPPED_STORIES = 600  # stories of things put down, added to each of tasks 7 and 8


def holdings_dropped(source: Path, target: Path, stories: int = DROPPED_STORIES, *,
                     lexicon) -> dict[str, int]:
    """Tasks 7 and 8's training stories, then `stories` each in which a person holding two
    or three things puts one down, asked what or how many they carry
    (generator.tasks.dropped_holdings), read through entity slots as everyday_slots reads
    its stories: models trained without them answered with the first thing taken after it
    was put down. Returns the questions added per file."""
    from askme.training.generator.tasks import dropped_holdings_stories

    return _appending(source, target, lambda task: read_through_slots(
        dropped_holdings_stories(task, stories, seed=task), lexicon), {7, 8})


UNPLACED_STORIES = 1000  # stories of things whose holder no fact places, added to task 2


def holders_unplaced(source: Path, target: Path, stories: int = UNPLACED_STORIES, *,
                     lexicon) -> dict[str, int]:
    """Task 2's training stories, then `stories` in which someone never said to be anywhere
    takes a thing, asked where it is (`unknown`), beside things whose holder a fact places
    (generator.tasks.unplaced_holders), read through entity slots as everyday_slots reads
    its stories. Returns the questions added."""
    from askme.training.generator.tasks import unplaced_holders_stories

    return _appending(source, target, lambda task: read_through_slots(
        unplaced_holders_stories(stories, seed=2), lexicon), {2})


ONE_SENTENCE_STORIES = 1000  # one-sentence stories added to a task type's training file


def one_sentence(source: Path, target: Path, stories: int = ONE_SENTENCE_STORIES,
                 read=None) -> dict[str, int]:
    """The training stories of each task type a sentence can tell
    (askme.training.generator.sentences), then `stories` short stories of it told as one
    sentence, their questions supported by words; `read`, if given, rewrites each generated
    story before its facts are joined. Returns the questions added per file."""
    from askme.training.generator.sentences import ONE_SENTENCE_TASKS, one_sentence_stories

    return _appending(source, target,
                      lambda task: one_sentence_stories(task, stories, seed=task, read=read),
                      set(ONE_SENTENCE_TASKS))


def one_sentence_slots(source: Path, target: Path, stories: int = ONE_SENTENCE_STORIES, *,
                       lexicon) -> dict[str, int]:
    """one_sentence's stories with their facts read through entity slots first (as
    everyday_slots reads its stories), then joined into one sentence."""
    return one_sentence(source, target, stories,
                        read=lambda lines: read_through_slots(lines, lexicon))


ONE_FACT_STORIES = 200  # one-fact sentences added to each task type's training file


def one_fact_slots(source: Path, target: Path, stories: int = ONE_FACT_STORIES, *,
                   lexicon) -> dict[str, int]:
    """The training stories of every task type, then up to `stories` memories of one
    sentence telling one fact, each with a question about that fact
    (generator.sentences.one_fact_stories), read through entity slots first. one_sentence's
    stories join 2 to 8 facts, so a model trained on them alone read a plain sentence of
    task type 4, 9 or 10, word by word, as nothing it had seen (docs/one-sentence.md)."""
    from askme.training.generator.sentences import one_fact_stories

    return _appending(source, target, lambda task: one_fact_stories(
        task, stories, seed=task, read=lambda lines: read_through_slots(lines, lexicon)))


LONG_WORLD_STORIES = 500  # long stories added to each of tasks 1, 2, 6 and 15


def long_worlds(source: Path, target: Path, stories: int = LONG_WORLD_STORIES,
                babi_words: bool | None = None, sizes: tuple[int, int] = (10, 100),
                read=None, draw: int = 0, unknowns: float = 0.0) -> dict[str, int]:
    """The training stories of tasks 1, 2, 6 and 15, then `stories` each of up to a dozen
    people told for `sizes` facts (drawn log-uniformly; 10 to 100 unless a caller such as
    long_worlds_slots says otherwise), asked where people and things are, yes/no,
    and a deduction told far apart (askme.training.generator.long): a model of bAbI's four
    to six people loses one among a dozen, at 10 facts as at 10,000. Told in everyday English
    and bAbI's words by turns, or in bAbI's alone (`babi_words`: data step long_babi_worlds,
    for a model whose tokenizer knows no other, as babi-1k's); `read`, if given, rewrites
    the generated lines; `draw` picks another set of stories; `unknowns`: the chance of a
    story's asking one question more that it cannot answer (long_story). Returns the
    questions added per file."""
    from askme.training.generator.long import KIND_TASKS, long_training_lines

    def lines(task: int) -> list[str]:
        told = long_training_lines(task, stories, seed=task + 100 * draw, sizes=sizes,
                                   babi_words=babi_words, unknowns=unknowns)
        return read(told) if read else told

    return _appending(source, target, lines, set(KIND_TASKS.values()))


LONG_SLOT_STORIES = 300  # long_worlds_slots' stories per task


def long_worlds_slots(source: Path, target: Path, stories: int = LONG_SLOT_STORIES, *,
                      lexicon, sizes: tuple[int, int] = (10, 2000), draw: int = 0,
                      unknowns: float = 0.0) -> dict[str, int]:
    """long_worlds' stories, of 10 to 2,000 facts, read through entity slots as a user's
    memory is read (everyday_slots): a memory grows far past bAbI's stories, and models
    trained on stories of up to 100 or 400 facts lost most facts told further back than
    that (docs/long-memories.md)."""
    return long_worlds(source, target, stories, sizes=sizes, draw=draw, unknowns=unknowns,
                       read=lambda lines: read_through_slots(lines, lexicon))


def _appending(source: Path, target: Path, added_lines, tasks: set[int] | None = None
               ) -> dict[str, int]:
    """A copy of `source` whose training file of each task (of `tasks`; None: all) goes on
    after its own stories with the bAbI-format lines `added_lines(task)`. Returns the
    questions added per file."""
    from askme.babi import file_task

    def change(path: Path) -> int:
        added = added_lines(file_task(path))
        (target / path.name).write_text(path.read_text().rstrip("\n") + "\n"
                                        + "\n".join(added) + "\n")
        return sum("\t" in line for line in added)

    adding = {path.name for path in Path(source).glob("qa*_*_train.txt")
              if tasks is None or file_task(path) in tasks}
    return _copy_changing(source, target, adding, change)


def _copy_changing(source: Path, target: Path, changing: set[str], change) -> dict[str, int]:
    target.mkdir(parents=True, exist_ok=True)
    changed = {}
    for path in sorted(Path(source).glob("qa*_*.txt")):
        if path.name in changing:
            changed[path.name] = change(path)
        else:
            shutil.copy(path, target / path.name)
    return changed


DATA_STEPS = {"where_questions": where_questions,
              # The same, reading places told in every form the generator tells them (after
              # everyday_slots, where_questions answered "Mary is in the kitchen." with the
              # place before it).
              "where_questions_told": functools.partial(where_questions, told=True),
              "turned_directions": turned_directions,
              "babi_10k": babi_10k, "sequence_words": sequence_words,
              "everyday_english": everyday_english,
              "things_placed": things_placed, "one_sentence": one_sentence,
              "one_sentence_slots": one_sentence_slots,
              "one_fact_slots": one_fact_slots,
              "everyday_slots": everyday_slots,
              # A fifth of the stories: enough to keep "unknown" while bAbI's own settle a model.
              "everyday_slots_few": functools.partial(everyday_slots, stories=200),
              "things_placed_few": functools.partial(things_placed, stories=400),
              "holdings_dropped": holdings_dropped,
              "holders_unplaced": holders_unplaced,
              "long_worlds": long_worlds,
              "long_babi_worlds": functools.partial(long_worlds, babi_words=True),
              "long_worlds_slots": long_worlds_slots,
              # 300 other stories a task type: beside long_worlds_slots, they keep long
              # memories' share of an epoch that bAbI 10k's files would thin out.
              "long_worlds_slots_more": functools.partial(long_worlds_slots, draw=2),
              # The same stories, half of them asking one question more of their task type
              # that nothing in them answers ("unknown").
              "long_worlds_slots_unknown": functools.partial(long_worlds_slots, unknowns=0.5),
              # Memories as long as a week of notes: 60 a task type of 2,000 to 10,000 facts
              # (a recipe reads them with batch_tokens, or a step's activations fill memory).
              "long_worlds_slots_far": functools.partial(
                  long_worlds_slots, stories=60, sizes=(2000, 10000), draw=1)}


def data_step(spec: str):
    """The function a recipe's data step names: a step of DATA_STEPS, or `NAME:TASKS` for a
    step that takes `tasks`, to change those tasks' files only ("babi_10k:17"). An unknown
    name, or tasks given to a step that takes none, is a ValueError; a bad task list is
    parse_tasks's AskmeError."""
    from askme.babi import parse_tasks

    name, _, tasks = spec.partition(":")
    if name not in DATA_STEPS:
        raise ValueError(f"no data step {name!r} (known: {', '.join(DATA_STEPS)})")
    step = DATA_STEPS[name]
    if not tasks:
        return step
    if "tasks" not in inspect.signature(step).parameters:
        raise ValueError(f"data step {name!r} changes no chosen tasks (no {name}:TASKS)")
    return functools.partial(step, tasks=set(parse_tasks(tasks)))


def reads_slots(step) -> bool:
    """Whether a data step (a function data_step gave) reads its stories through a model's
    entity slots: such a step takes the lexicon the model of its stage reads with
    (askme.training.lexicon.stage_lexicon), as `lexicon`."""
    return "lexicon" in inspect.signature(step).parameters
