"""THE answer path: facts and questions in, answers and the evidence out (every pass's
gates, where the memory halted). The chat, ask, load and eval all answer through it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from askme.babi import UNKNOWN, Example
from askme.dmn.entities import WORD, EntityMap, asked_outright
from askme.dmn.tokenizer import ANSWER_END_ID, PAD_ID
from askme.english import AUXILIARIES, QUESTION_WORDS
from askme.errors import AskmeError
from askme.memory.cache import EncodedFacts, encode_facts, memory_facts
from askme.stories import Story

if TYPE_CHECKING:
    from askme.dmn.checkpoint import Checkpoint


@dataclass
class Explanation:
    """An answer and the evidence: the gates of every memory pass."""

    question: str
    answer: str
    facts: list[str]
    episodes: list[list[float]]  # per pass run: gate per fact, then the end-of-passes gate
    passes: int  # episodes the answer used (the halting pass is not counted)
    halted: bool  # True when a pass chose end-of-passes, False at the max-passes backstop
    confidence: float = 1.0  # the decoder's probability of the answer, in [0, 1]
    # A memory of one sentence read word by word (DMNConfig.sentence_words): the sentence,
    # whose words are then `facts`, one gate each.
    sentence: str | None = None
    # Per pass run: where its highest gate was, from the logits (len(facts): end-of-passes);
    # empty when not known, then read from the gates.
    choices: list[int] = field(default_factory=list)
    # The people and things the question names that no fact names: the answer is "unknown"
    # (with confidence 1) whatever the passes found.
    unnamed: tuple[str, ...] = ()
    # What the decoder said when it named a place or thing no fact names, asked where
    # someone is or what they hold (asks_for_told; the answer is then "unknown", with
    # confidence 1); "" otherwise.
    unsupported: str = ""
    # What the decoder said when a question the model learned to answer with a person
    # ("Who ...?") got a place or a thing (the answer is then "unknown"); "" otherwise.
    no_person: str = ""
    # What the decoder said when it answered out of the question's kind (the answer is then
    # "unknown"): a question of yes or no (it opens with an auxiliary: "Does Ken have the
    # ball?") with anything but yes, no or maybe, or one opening with a question word
    # ("Who has the ball?") with one of those; "" otherwise.
    off_kind: str = ""
    # What the decoder said when the passes of a where-question about a thing ran one that
    # found no fact (asked_in_vain; the answer is then "unknown"); "" otherwise.
    unfound: str = ""

    @classmethod
    def of(cls, question: str, answer: "Answer", facts: list[str],
           sentence: str | None = None) -> "Explanation":
        return cls(question, answer.text, facts, answer.gates, answer.passes,
                   halted=answer.choices[-1] == len(facts), confidence=answer.confidence,
                   sentence=sentence, choices=list(answer.choices), unnamed=answer.unnamed,
                   unsupported=answer.unsupported, no_person=answer.no_person,
                   off_kind=answer.off_kind, unfound=answer.unfound)

    def empty_pass(self) -> int | None:
        """The first pass the answer used that found no fact (asked_in_vain), from 1."""
        return empty_pass(self.episodes, self.passes)

    def chosen(self) -> list[int]:
        """Each pass's choice: a fact's position, or len(facts) for end-of-passes."""
        return self.choices or [max(range(len(g)), key=g.__getitem__) for g in self.episodes]

    def to_json(self) -> dict:
        """Every pass the memory ran, with its gates, and how many of their episodes the
        answer used: the halting pass runs too, but its episode is not used. A sentence
        read word by word has its words listed, and a gate per word. `not_in_memory`: the
        people and things the question names that no fact names (then the answer is
        "unknown")."""
        words = {"words": self.facts} if self.sentence is not None else {}
        return {"question": self.question, "answer": self.answer,
                "facts": [self.sentence] if self.sentence is not None else self.facts, **words,
                "passes": [{"gates": [round(g, 4) for g in e[:-1]],
                            "end_of_passes": round(e[-1], 4)} for e in self.episodes],
                "episodes_used": self.passes, "halted": self.halted,
                "confidence": round(self.confidence, 4), "not_in_memory": list(self.unnamed)}


def load_model(model: str | Path | None = None, arrays: bool = False):
    """The model `--model` names: a folder, or a shipped model's name; default the shipped
    model (errors are AskmeError). `arrays`: to answer on numpy, never importing torch
    (askme.dmn.arrays), as the chat, ask and load do."""
    from askme.dmn.checkpoint import load_checkpoint
    from askme.paths import model_folder

    folder, shipped = model_folder(model)
    # A shipped model must match the checksums recorded beside it.
    return load_checkpoint(folder, checksums_required=shipped, arrays=arrays)


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
    examples = [Example(tuple(f), q, "", ()) for f, q in cases]
    out = []
    for (f, q), a in zip(cases, answer_examples(checkpoint, examples)):
        words = one_sentence_words(checkpoint, f)
        out.append(Explanation.of(q, a, words, f[0]) if words and len(a.gates[0]) == len(words) + 1
                   else Explanation.of(q, a, list(f)))
    return out


def one_sentence_words(checkpoint, facts: list[str]) -> list[str] | None:
    """The words of a memory of one sentence, for a model that reads it word by word
    (DMNConfig.sentence_words); None when it reads facts."""
    if len(facts) != 1 or not checkpoint.model.config.sentence_words:
        return None
    return facts[0].split()


def encode_words(checkpoint, sentence: str, person: bool = False) -> EncodedFacts | None:
    """A one-sentence memory as the facts the model reads, one per word (texts: the words);
    None when the model's pieces split the sentence into other words than spaces do."""
    import numpy as np

    from askme.dmn.batches import sentence_words as read_words
    from askme.dmn.tokenizer import FACT_END_ID
    from askme.memory.cache import new_entities

    entities = new_entities(checkpoint, person)
    said = entities.rewrite_all([sentence])[0] if entities is not None else sentence
    words, read = sentence.split(), read_words(checkpoint.tokenizer, said)
    if read is None or len(said.split()) != len(words):
        return None
    ids, ends = read
    facts, _ = checkpoint.model.arrays.encode_story(np.array([ids + [FACT_END_ID]]),
                                                    np.array([ends]))
    return EncodedFacts(words, facts[0], entities)


# Questions answered together against one memory: bounded so that the gate features of a
# batch (questions x facts x features) stay around a hundred MB on a long memory.
ANSWER_CELLS = 200_000


def answer_from_memory(checkpoint, store, name: str, stored: list[str], told: list[str],
                       questions: list[tuple[str, int]]) -> list[Explanation]:
    """Questions (text, k), each asked of the first k facts of memory `name` (whose facts
    read `stored`) followed by `told`, facts given for this run only. The stored facts come
    from the memory's encoding cache; the told ones continue it."""
    encoded = memory_facts(checkpoint, store, name)
    if encoded.texts != stored:  # another process changed the memory meanwhile: afresh
        encoded = encode_facts(checkpoint, stored)
    if told:
        encoded = encode_facts(checkpoint, told, after=encoded)
    return answer_prefixes(checkpoint, encoded, questions)


def reads_as_person(entities: EntityMap | None, question: str) -> bool:
    """Whether `question` reads its facts with the people the model learned to answer with
    (EntityMap.for_person_answers) rather than with the memory's own slots: a question
    about a person ("Who ...?") of facts naming people the model never saw. Otherwise both
    readings give the same words."""
    return (entities is not None and entities.lexicon.asks_for_person(question)
            and entities.reads_new_people())


def answer_prefixes(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
                    ) -> list[Explanation]:
    """Answer questions (text, k) against the first k facts of one encoded memory, in
    batches: the facts are encoded once however many questions there are. With entity
    slots, each question is read with the memory's slots and its answer written back; a
    question about a person ("Who ...?") reads the memory with the people the model learned
    to answer with (EntityMap.for_person_answers), encoded anew when that reading differs."""
    if one_sentence_words(checkpoint, facts.texts[:1]) and any(k == 1 for _, k in questions):
        return _by_words(checkpoint, facts, questions)
    return _by_facts(checkpoint, facts, questions)


def _by_facts(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
              ) -> list[Explanation]:
    person = [reads_as_person(facts.entities, q) for q, _ in questions]
    if not any(person):
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


def _by_words(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
              ) -> list[Explanation]:
    """answer_prefixes where some questions are asked of the first sentence alone: those
    read its words, the others the facts."""
    sentence = facts.texts[0]
    out: list[Explanation | None] = [None] * len(questions)
    alone = [i for i, (_, k) in enumerate(questions) if k == 1]
    rest = [i for i in range(len(questions)) if i not in alone]
    by_person: dict[bool, list[int]] = {}
    for i in alone:
        by_person.setdefault(reads_as_person(facts.entities, questions[i][0]), []).append(i)
    for person, chosen in by_person.items():
        words = encode_words(checkpoint, sentence, person)
        if words is None:  # read as one fact, as a model without words would
            rest += chosen
            continue
        asked = [(questions[i][0], len(words.texts)) for i in chosen]
        for i, explanation in zip(chosen, _answer_reading(checkpoint, words, asked)):
            out[i] = replace(explanation, sentence=sentence)
    if rest:
        rest.sort()
        for i, explanation in zip(rest, _by_facts(checkpoint, facts, [questions[i] for i in rest])):
            out[i] = explanation
    return out  # type: ignore[return-value]


def _answer_reading(checkpoint, facts: EncodedFacts, questions: list[tuple[str, int]]
                    ) -> list[Explanation]:
    import numpy as np

    texts, vectors = facts.texts, facts.vectors
    out: list[Explanation] = []
    longest = max((k for _, k in questions), default=0)
    step = max(1, ANSWER_CELLS // max(longest, 1))
    for start in range(0, len(questions), step):
        chunk = questions[start:start + step]
        counts = [k for _, k in chunk]
        T = max(counts)
        facts_in = np.broadcast_to(vectors[:T], (len(chunk), T, vectors.shape[1]))
        mask = np.arange(T)[None] < np.array(counts)[:, None]
        answers = answer_read(checkpoint, np.ascontiguousarray(facts_in), mask, counts,
                              [q for q, _ in chunk], [facts.entities] * len(chunk))
        out.extend(Explanation.of(question, a, texts[:k])
                   for (question, k), a in zip(chunk, answers))
    return out


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


@dataclass
class Answer:
    text: str
    passes: int  # episodes used before the memory halted
    gates: list[list[float]]  # per pass run: sigmoid gate per fact, then end-of-passes
    choices: list[int]  # per pass run: argmax position (len(facts) means end-of-passes)
    confidence: float = 1.0  # the decoder's probability of this answer
    # The people and things the question names that no fact before it names: the answer is
    # then "unknown", whatever the decoder said.
    unnamed: tuple[str, ...] = ()
    unsupported: str = ""  # see Explanation.unsupported
    no_person: str = ""  # see Explanation.no_person
    off_kind: str = ""  # see Explanation.off_kind
    unfound: str = ""  # see Explanation.unfound
    # (fact, earlier fact) pairs: the fact's opening pronoun was read as the person the
    # earlier one named (EntityMap.resolved), so the fact tells what both told.
    merged: tuple[tuple[int, int], ...] = ()


# "Where is the laptop?", "Where was Mary before the park?", "Where can Bill be found?": a
# question whose answer is a place some fact names; "What is Sue holding?", "What does Mary
# have?": one whose answer is things some fact names (or "nothing"). Not "Where will Yann
# go?" nor "Where is he going to go?", answered with a place inferred from a motive (bAbI
# task 20).
_WHERE_TOLD = re.compile(r"^\W*where\b", re.I)
_HELD_TOLD = re.compile(r"^\W*what\b.*\b(holding|carrying|hold|carry|have|has|got)\b", re.I)
_INFERRED = re.compile(r"\b(will|would|shall|going to|gonna)\b|'ll\b", re.I)
NAMES_NOTHING = ("nothing", "none")  # an answer that names no thing, told or not


YES_NO = ("yes", "no", "maybe")  # every answer bAbI gives a question opening with an auxiliary


def _opening(question: str) -> str:
    first = WORD.search(question)
    return first.group().lower() if first else ""


def asks_yes_no(question: str) -> bool:
    """Whether `question` asks for yes or no ("Is Mary in the park?", "Does the box fit in
    the chest?"): it opens with an auxiliary."""
    return _opening(question) in AUXILIARIES


def asks_what(question: str) -> bool:
    """Whether `question` opens with a question word ("Who has the ball?"), which bAbI never
    answers with yes, no or maybe ("Ken is in the kitchen?" may ask for yes or no)."""
    return _opening(question) in QUESTION_WORDS


# bAbI's question of the way from one place to another (task 19), however it opens ("How do
# you go from ...", "How do I get from ..."), and its answers: directions, "n,w".
_WAY_ASKED = re.compile(r"^\W*how\s+(?:do|can|would|should|could)\s+\w+\s+(?:go|get)\s+from\b",
                        re.IGNORECASE)
_DIRECTIONS = re.compile(r"^[nsew](?:\s*,\s*[nsew])*$")


def asks_the_way(question: str) -> bool:
    return bool(_WAY_ASKED.match(question))


def asks_for_told(question: str) -> bool:
    """Whether the answer to `question` is words some fact tells (see above)."""
    return bool(_WHERE_TOLD.match(question) or _HELD_TOLD.match(question)) \
        and not _INFERRED.search(question)


# A pass whose every gate is under this found no fact (the sigmoid gates need not sum to 1).
EMPTY_PASS = 0.02
# A where-question about a thing ("Where is the laptop?", "Where was the apple before the
# kitchen?"), whose answer rests on two facts or more: the thing's last holder and where
# they went. One about a person rests on one, and a second pass may well find nothing
# ("Where was Ravi before the library?": its "the" comes after the person).
_WHERE_THING = re.compile(r"^\W*where(?:'s|\s+\w+)?\s+the\s+\w", re.I)


def asked_in_vain(question: str, answer: Answer, fact_count: int) -> bool:
    """Whether a where-question about a thing, asked of a memory of more than one fact, ran
    a pass that found no fact before the memory halted: it looked for what the answer rests
    on and found nothing there. "Alice went to the library. Bob took the laptop. Alice
    travelled to the cafe." then "Where is the laptop?": pass 1 chose Bob's taking, pass 2
    no fact (nobody said where Bob is), and the decoder said "cafe". Measured on every
    reported and kept-apart set and the long-memory bench, with the shipped model and
    another, at gates under 0.02: no right answer lost (docs/everyday-english.md)."""
    if fact_count < 2 or not _WHERE_THING.match(question) or _INFERRED.search(question):
        return False
    return empty_pass(answer.gates, answer.passes) is not None


def empty_pass(gates: list[list[float]], passes: int) -> int | None:
    """The first of the `passes` used whose every fact's gate (each row of `gates` ends in
    end-of-passes) is under EMPTY_PASS, from 1; None if each found a fact."""
    return next((i for i, row in enumerate(gates[:passes], 1)
                 if max(row[:-1], default=0.0) < EMPTY_PASS), None)


def decode_prediction(tokenizer, prediction, fact_counts: list[int]) -> list[Answer]:
    """One Answer per row of a Prediction; `fact_counts` drops each row's fact padding."""
    tokens_rows = prediction.answer_tokens.tolist()
    passes_rows = prediction.passes.tolist()
    gates_rows = prediction.gates.tolist()  # (B, P, T+1) as lists: one conversion, not B
    choices_rows = prediction.choices.tolist()
    answers = []
    for tokens, passes, gates, choices, n_facts, confidence in zip(
            tokens_rows, passes_rows, gates_rows, choices_rows, fact_counts,
            prediction.confidence.tolist()):
        if ANSWER_END_ID in tokens:
            tokens = tokens[:tokens.index(ANSWER_END_ID)]
        ran = min(passes + 1, len(gates))
        answers.append(Answer(tokenizer.decode_answer(tokens), passes,
                              [g[:n_facts] + g[-1:] for g in gates[:ran]],
                              [min(c, n_facts) for c in choices[:ran]], confidence))
    return answers


def answer_examples(checkpoint: Checkpoint, examples: list[Example], batch_size: int = 256
                    ) -> list[Answer]:
    """Answer bAbI examples; the questions of one story share one encoding of it.

    A bAbI story is asked several questions as it goes on, each about the facts so far, so
    the input GRU reads each story once (its longest telling) and every question takes the
    facts up to its own position.
    """
    import numpy as np

    from askme.dmn.batches import encode_example, length_batches, pad_array, split_sorted

    engine, tokenizer = checkpoint.model.arrays, checkpoint.tokenizer
    stories: dict[tuple, int] = {}  # (file, story) -> index of its longest example
    for i, ex in enumerate(examples):
        key = (ex.source.rsplit(":", 1)[0], ex.story_id, ex.task)
        longest = stories.setdefault(key, i)
        if len(ex.story) > len(examples[longest].story):
            stories[key] = i
    owner = [stories[(ex.source.rsplit(":", 1)[0], ex.story_id, ex.task)] for ex in examples]
    if any(examples[o].story[:len(ex.story)] != ex.story for ex, o in zip(examples, owner)):
        owner = list(range(len(examples)))  # not bAbI-shaped: encode every story itself
    # A question asked of one sentence reads its words (DMNConfig.sentence_words): that
    # reading is its own.
    words = engine.config.sentence_words
    owner = [i if words and len(ex.story) == 1 else o for i, (ex, o) in enumerate(zip(examples, owner))]
    # Entity slots (askme.dmn.entities): each story read in the model's words, fact by fact,
    # and read again for a question that reads it as a person's answer would.
    lexicon = checkpoint.lexicon
    slots: dict[tuple, EntityMap] = {}  # (story, as a person) -> its slots after the story
    told: dict[tuple, tuple[str, ...]] = {}  # the same -> the story in the model's words
    for o in sorted(set(owner)):
        story = examples[o].story
        if lexicon is None:
            told[o, False] = story
        else:
            slots[o, False] = EntityMap(lexicon)
            told[o, False] = tuple(slots[o, False].rewrite_all(list(story)))
    reading = [(o, reads_as_person(slots.get((o, False)), ex.question))
               for o, ex in zip(owner, examples)]
    for o, as_person in sorted(set(reading)):
        if as_person:
            slots[o, True] = EntityMap.for_person_answers(lexicon)
            told[o, True] = tuple(slots[o, True].rewrite_all(list(examples[o].story)))
    readers = sorted(set(reading))  # the readings some question asks for, each encoded once
    encoded = [encode_example(tokenizer, replace(examples[key[0]], story=told[key]), words)
               for key in readers]
    facts_of: dict[tuple, np.ndarray] = {}
    for indices in length_batches(encoded, batch_size):
        rows = [encoded[i] for i in indices]
        facts, _ = engine.encode_story(pad_array([e.story for e in rows], PAD_ID),
                                       pad_array([e.fact_positions for e in rows], 0))
        for row, i in enumerate(indices):
            facts_of[readers[i]] = facts[row, :len(encoded[i].fact_positions)]
    # Facts each question reads: its story's so far, or its sentence's words.
    count = [len(facts_of[reading[i]]) if words and len(ex.story) == 1 else len(ex.story)
             for i, ex in enumerate(examples)]
    answers: list[Answer | None] = [None] * len(examples)
    order = sorted(range(len(examples)), key=count.__getitem__)
    # batch_size questions, fewer of long memories (ANSWER_CELLS)
    for chunk in split_sorted(order, count.__getitem__, batch_size, ANSWER_CELLS):
        counts = [count[i] for i in chunk]
        T, H = max(counts), engine.config.hidden_dim
        facts = np.zeros((len(chunk), T, H), facts_of[reading[chunk[0]]].dtype)
        for row, i in enumerate(chunk):
            facts[row, :counts[row]] = facts_of[reading[i]][:counts[row]]
        mask = np.arange(T)[None] < np.array(counts)[:, None]
        for i, answer in zip(chunk, answer_read(
                checkpoint, facts, mask, counts, [examples[i].question for i in chunk],
                [slots.get(reading[i]) for i in chunk])):
            read = slots.get(reading[i])
            if read is not None and read.resolved:
                answer = replace(answer, merged=tuple(
                    (fact, earlier) for fact, earlier in read.resolved.items()
                    if fact < count[i]))
            answers[i] = answer
    return answers  # type: ignore[return-value]


def answer_read(checkpoint: Checkpoint, facts, mask, counts: list[int], questions: list[str],
                maps: list[EntityMap | None]) -> list[Answer]:
    """Answers, in the user's words, to `questions` over encoded facts (B, T, H) and their
    mask (B, T) (numpy arrays), row r asked of its first counts[r] facts; each question is
    read with a copy of its row's entity map (None: as written), and no answer names a
    known person the question's facts and the question leave out."""
    import numpy as np

    from askme.dmn.batches import pad_array

    engine, tokenizer = checkpoint.model.arrays, checkpoint.tokenizer
    asked = [m.asked_after(k) if m else None for m, k in zip(maps, counts)]
    # In the model's words.
    said = [s.rewrite(q, question=True) if s else q for q, s in zip(questions, asked)]
    tokens = [tokenizer.encode_question(text) for text in said]
    q = engine.encode_question(pad_array(tokens, PAD_ID),
                               np.array([max(1, len(t)) for t in tokens], np.int64))
    banned = banned_people(checkpoint, maps, counts, said) if checkpoint.lexicon else None
    prediction = engine.answer_facts(facts, mask, q, banned)
    out = []
    for a, s, question, k in zip(decode_prediction(tokenizer, prediction, counts), asked,
                                 questions, counts):
        unnamed = s.unnamed(question, k) if s else []
        if unnamed:
            a = replace(a, text=UNKNOWN, confidence=1.0, unnamed=tuple(unnamed))
        if s is None:
            out.append(a)
            continue
        said = s.restore(a.text)
        outright = asked_outright(question) if s.phrases else question
        if s.lexicon.asks_for_person(outright) and s.lexicon.kind_of.get(
                a.text.lower()) in ("place", "object"):
            # "Who went to the gym?" (no training task asks it) was answered "office": a
            # question the model learned to answer with a person, answered with a place or
            # a thing, it cannot answer.
            out.append(replace(a, text=UNKNOWN, confidence=1.0, no_person=said))
        elif said != UNKNOWN and (said in YES_NO and asks_what(outright)
                                  or said not in YES_NO and asks_yes_no(outright)):
            # No training task asks "Does Ken have the ball?" (answered "office") nor "Who
            # has the ball?" (answered "no").
            out.append(replace(a, text=UNKNOWN, confidence=1.0, off_kind=said))
        elif said != UNKNOWN and asks_the_way(outright) and not _DIRECTIONS.match(a.text):
            # The way from one place to another is directions ("n,w"), never other words:
            # asked of one step, which no training story asks, the decoder said "office
            # unknown".
            out.append(replace(a, text=UNKNOWN, confidence=1.0, off_kind=said))
        elif said != UNKNOWN and s.lexicon.never_answered(outright, a.text):
            # "Why is Otto cold?" answered "school", "Where is the ball?" answered "Ken":
            # no training question that opens so was ever answered with a place or a
            # person, as the lexicon counted them.
            out.append(replace(a, text=UNKNOWN, confidence=1.0, off_kind=said))
        elif said not in (UNKNOWN, *NAMES_NOTHING) and asks_for_told(outright) \
                and not s.told(said, k):
            # The memory tells of no such place or thing: the passes found nothing the
            # answer rests on (issue 32's laptop, whose holder no fact places, got "school";
            # "Sue is holding an umbrella." then "What is Sue holding?" got "cinema").
            out.append(replace(a, text=UNKNOWN, confidence=1.0, unsupported=said))
        elif said not in (UNKNOWN, *NAMES_NOTHING) and asked_in_vain(outright, a, k):
            out.append(replace(a, text=UNKNOWN, confidence=1.0, unfound=said))
        else:
            out.append(replace(a, text=said))
    return out


def person_tokens(checkpoint: Checkpoint) -> dict[str, int]:
    """The answer token of each person the model's lexicon knows, spelt as it learned them
    (a name of several pieces shares them with other words and is left out)."""
    return _person_tokens(checkpoint.tokenizer, tuple(checkpoint.lexicon.slots.get("actor", ())))


@functools.lru_cache(maxsize=8)  # once per model, not once per question
def _person_tokens(tokenizer, people: tuple[str, ...]) -> dict[str, int]:
    ids = {name: tokenizer.encode(name) for name in people}
    return {name: pieces[0] for name, pieces in ids.items() if len(pieces) == 1}


def banned_people(checkpoint: Checkpoint, maps: list[EntityMap], counts: list[int],
                  said: list[str]):
    """(B, V) True at the answer tokens of the known people row r may not name: those that
    neither its first counts[r] facts (as maps[r] read them) nor its question (in the model's
    words) name. bAbI asks "who" only about people in the story, and so does a user, but a
    model trained on a few names can answer with one the memory never names (with entity
    slots: a name its task learned by heart). A numpy array, or None."""
    import numpy as np

    ids = person_tokens(checkpoint)
    if not ids:
        return None
    names = list(ids)
    column = {name.lower(): j for j, name in enumerate(names)}
    first: dict[int, list[int]] = {}  # rows of one memory share its map: one lookup each
    for m in maps:
        if id(m) not in first:
            first[id(m)] = m.first_named(names)
    named_at = np.array([first[id(m)] for m in maps])
    left_out = named_at >= np.array(counts)[:, None]  # (B, N)
    for r, text in enumerate(said):
        for w in WORD.findall(text):
            if w.lower() in column:
                left_out[r, column[w.lower()]] = False
    banned = np.zeros((len(maps), checkpoint.model.config.vocab_size), bool)
    banned[:, np.array([ids[name] for name in names])] = left_out
    return banned
