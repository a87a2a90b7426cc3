"""Batched answering and the per-task bAbI report."""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from askme.babi import Example
from askme.checkpoint import Checkpoint
from askme.config import PASS_ERROR
from askme.data import collate, encode_example, length_batches, pad_rows
from askme.entities import WORD, EntityMap
from askme.tokenizer import ANSWER_END_ID, PAD_ID


# Test accuracy (%) on bAbI 1k with supporting-fact supervision, from Kumar et al. 2016,
# Table 1: the DMN, and the strongly supervised MemNN of Weston et al. 2015.
PAPER_DMN = {1: 100, 2: 98.2, 3: 95.2, 4: 100, 5: 99.3, 6: 100, 7: 96.9, 8: 96.5, 9: 100,
             10: 97.5, 11: 99.9, 12: 100, 13: 99.8, 14: 100, 15: 100, 16: 99.4, 17: 59.6,
             18: 95.3, 19: 34.5, 20: 100}
PAPER_MEMNN = {1: 100, 2: 100, 3: 100, 4: 100, 5: 98, 6: 100, 7: 85, 8: 91, 9: 100, 10: 98,
               11: 100, 12: 100, 13: 100, 14: 99, 15: 100, 16: 100, 17: 65, 18: 95, 19: 36,
               20: 100}


@dataclass
class Answer:
    text: str
    passes: int  # episodes used before the memory halted
    gates: list[list[float]]  # per pass run: sigmoid gate per fact, then end-of-passes
    choices: list[int]  # per pass run: argmax position (len(facts) means end-of-passes)


def decode_prediction(tokenizer, prediction, fact_counts: list[int]) -> list[Answer]:
    """One Answer per row of a Prediction; `fact_counts` drops each row's fact padding."""
    tokens_rows = prediction.answer_tokens.tolist()
    passes_rows = prediction.passes.tolist()
    gates_rows = prediction.gates.tolist()  # (B, P, T+1) as lists: one conversion, not B
    choices_rows = prediction.choices.tolist()
    answers = []
    for tokens, passes, gates, choices, n_facts in zip(tokens_rows, passes_rows, gates_rows,
                                                       choices_rows, fact_counts):
        if ANSWER_END_ID in tokens:
            tokens = tokens[:tokens.index(ANSWER_END_ID)]
        ran = min(passes + 1, len(gates))
        answers.append(Answer(tokenizer.decode_answer(tokens), passes,
                              [g[:n_facts] + g[-1:] for g in gates[:ran]],
                              [min(c, n_facts) for c in choices[:ran]]))
    return answers


def answer_examples(checkpoint: Checkpoint, examples: list[Example], batch_size: int = 256
                    ) -> list[Answer]:
    """Answer bAbI examples; the questions of one story share one encoding of it.

    A bAbI story is asked several questions as it goes on, each about the facts so far, so
    the input GRU reads each story once (its longest telling) and every question takes the
    facts up to its own position.
    """
    model, tokenizer = checkpoint.model, checkpoint.tokenizer
    model.eval()
    device = next(model.parameters()).device
    stories: dict[tuple, int] = {}  # (file, story) -> index of its longest example
    for i, ex in enumerate(examples):
        key = (ex.source.rsplit(":", 1)[0], ex.story_id, ex.task)
        longest = stories.setdefault(key, i)
        if len(ex.story) > len(examples[longest].story):
            stories[key] = i
    owner = [stories[(ex.source.rsplit(":", 1)[0], ex.story_id, ex.task)] for ex in examples]
    if any(examples[o].story[:len(ex.story)] != ex.story for ex, o in zip(examples, owner)):
        owner = list(range(len(examples)))  # not bAbI-shaped: encode every story itself
    # Entity slots (askme.entities): each story read in the model's words, fact by fact; a
    # question about a person reads it with the people the model learned to answer with.
    lexicon = checkpoint.lexicon
    person = [lexicon is not None and lexicon.asks_for_person(ex.question) for ex in examples]
    reading = list(zip(owner, person))  # (story, read for a person answer)
    slots: dict[tuple, EntityMap] = {}
    told: dict[tuple, tuple[str, ...]] = {}
    same: dict[tuple, tuple] = {}  # reading -> the reading whose encoding it shares
    for key in sorted(set(reading)):
        story, (o, for_person) = examples[key[0]].story, key
        if lexicon is None:
            told[key], same[key] = story, key
            continue
        if (o, False) not in slots:
            slots[o, False] = EntityMap(lexicon)
            told[o, False] = tuple(slots[o, False].rewrite_all(list(story)))
        same[key] = key
        if for_person:
            if slots[o, False].reads_new_people():
                slots[key] = EntityMap.for_person_answers(lexicon)
                told[key] = tuple(slots[key].rewrite_all(list(story)))
            else:  # a story of known people reads the same either way
                slots[key], same[key] = slots[o, False], (o, False)
    readers = sorted(set(same.values()))
    encoded = [encode_example(tokenizer, replace(examples[key[0]], story=told[key]))
               for key in readers]
    facts_of: dict[tuple, torch.Tensor] = {}
    with torch.inference_mode():
        for indices in length_batches(encoded, batch_size):
            batch = collate([encoded[i] for i in indices]).to(device)
            facts, _ = model.encode_story(batch.story, batch.fact_positions)
            for row, i in enumerate(indices):
                facts_of[readers[i]] = facts[row, :len(encoded[i].fact_positions)]
        facts_of = {key: facts_of[same[key]] for key in same}
        answers: list[Answer | None] = [None] * len(examples)
        order = sorted(range(len(examples)), key=lambda i: len(examples[i].story))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            counts = [len(examples[i].story) for i in chunk]
            T, H = max(counts), model.config.hidden_dim
            facts = torch.zeros(len(chunk), T, H, device=device)
            for row, i in enumerate(chunk):
                facts[row, :counts[row]] = facts_of[reading[i]][:counts[row]]
            mask = (torch.arange(T).unsqueeze(0) < torch.tensor(counts).unsqueeze(1)).to(device)
            for i, answer in zip(chunk, answer_read(
                    checkpoint, facts, mask, counts, [examples[i].question for i in chunk],
                    [slots.get(reading[i]) for i in chunk])):
                answers[i] = answer
    return answers  # type: ignore[return-value]


def answer_read(checkpoint: Checkpoint, facts: torch.Tensor, mask: torch.Tensor,
                counts: list[int], questions: list[str], maps: list[EntityMap | None]
                ) -> list[Answer]:
    """Answers, in the user's words, to `questions` over encoded facts (B, T, H) and their
    mask (B, T), row r asked of its first counts[r] facts; each question is read with a copy
    of its row's entity map (None: as written), and no answer names a known person the
    question's facts and the question leave out."""
    model, tokenizer = checkpoint.model, checkpoint.tokenizer
    device = facts.device
    asked = [m.copy() if m else None for m in maps]
    said = [s.rewrite(q) if s else q for q, s in zip(questions, asked)]  # in the model's words
    tokens = [tokenizer.encode_question(text) for text in said]
    q = model.encode_question(pad_rows(tokens, PAD_ID).to(device),
                              torch.tensor([max(1, len(t)) for t in tokens]).to(device))
    banned = banned_people(checkpoint, maps, counts, said) if checkpoint.lexicon else None
    prediction = model.answer_facts(facts, mask, q, None if banned is None else banned.to(device))
    return [replace(a, text=s.restore(a.text)) if s else a
            for a, s in zip(decode_prediction(tokenizer, prediction, counts), asked)]


def person_tokens(checkpoint: Checkpoint) -> dict[str, int]:
    """The answer token of each person the model's lexicon knows, spelt as it learned them
    (a name of several pieces shares them with other words and is left out)."""
    ids = {name: checkpoint.tokenizer.encode(name)
           for name in checkpoint.lexicon.slots.get("actor", ())}
    return {name: pieces[0] for name, pieces in ids.items() if len(pieces) == 1}


def banned_people(checkpoint: Checkpoint, maps: list[EntityMap], counts: list[int],
                  said: list[str]) -> torch.Tensor | None:
    """(B, V) True at the answer tokens of the known people row r may not name: those that
    neither its first counts[r] facts (as maps[r] read them) nor its question (in the model's
    words) name. bAbI asks "who" only about people in the story, and so does a user, but a
    model trained on a few names can answer with one the memory never names (with entity
    slots: a name its task learned by heart)."""
    ids = person_tokens(checkpoint)
    if not ids:
        return None
    names = list(ids)
    column = {name.lower(): j for j, name in enumerate(names)}
    first: dict[int, list[int]] = {}  # rows of one memory share its map: one lookup each
    for m in maps:
        if id(m) not in first:
            first[id(m)] = m.first_named(names)
    named_at = torch.tensor([first[id(m)] for m in maps])
    left_out = named_at >= torch.tensor(counts).unsqueeze(1)  # (B, N)
    mentioned = [(r, column[w.lower()]) for r, text in enumerate(said)
                 for w in WORD.findall(text) if w.lower() in column]
    if mentioned:
        rows, columns = zip(*mentioned)
        left_out[list(rows), list(columns)] = False
    banned = torch.zeros(len(maps), checkpoint.model.config.vocab_size, dtype=torch.bool)
    banned[:, torch.tensor([ids[name] for name in names])] = left_out
    return banned


def supporting_facts_right(answer: Answer, supports, free_passes: int = 0) -> bool:
    """Every pass chose its supporting fact and the memory halted right after the last;
    the first `free_passes` passes (DMNConfig.free_pass_tasks) may choose anything."""
    k = free_passes + len(supports)
    return answer.passes == k and answer.choices[free_passes:k] == list(supports)


def evaluate(checkpoint: Checkpoint, examples: dict[int, list[Example]], batch_size: int = 256
             ) -> dict:
    """The report printed by `askme eval`: per task n, accuracy, gate accuracy, mean passes."""
    flat = [(task, ex) for task, exs in examples.items() for ex in exs]
    answers = answer_examples(checkpoint, [ex for _, ex in flat], batch_size)
    free_tasks = checkpoint.model.config.free_pass_tasks or []
    tasks: dict[str, dict] = {}
    for task in examples:
        rows = [(ex, a) for (t, ex), a in zip(flat, answers) if t == task]
        n = len(rows)
        free = int(task in free_tasks)
        tasks[str(task)] = {
            "n": n,
            "accuracy": sum(a.text == ex.answer for ex, a in rows) / max(n, 1),
            "gate_accuracy": sum(supporting_facts_right(a, ex.supports, free) for ex, a in rows)
            / max(n, 1),
            "mean_passes": sum(a.passes for _, a in rows) / max(n, 1),
        }
    errors = [1 - t["accuracy"] for t in tasks.values()]
    return {
        "tasks": tasks,
        "mean_error": sum(errors) / max(len(errors), 1),
        "passed": sum(e < PASS_ERROR for e in errors),
    }


def markdown_table(report: dict) -> str:
    """The report as a Markdown table beside the paper's DMN and MemNN (for model cards)."""
    from askme.babi import TASK_NAMES

    lines = ["| task | accuracy | supporting facts | mean passes | DMN (paper) | MemNN (paper) |",
             "|---|---:|---:|---:|---:|---:|"]
    for task, row in report["tasks"].items():
        t = int(task)
        lines.append(f"| {t} {TASK_NAMES.get(t, '')} | {100 * row['accuracy']:.1f} | "
                     f"{100 * row['gate_accuracy']:.1f} | {row['mean_passes']:.2f} | "
                     f"{PAPER_DMN[t]:g} | {PAPER_MEMNN[t]:g} |")
    tasks = [int(t) for t in report["tasks"]]
    mean = lambda table: sum(table[t] for t in tasks) / len(tasks)  # noqa: E731
    passed = lambda table: sum(table[t] >= 95 for t in tasks)  # noqa: E731
    ours = 100 * (1 - report["mean_error"])
    lines.append(f"| **mean accuracy** | **{ours:.1f}** | | | {mean(PAPER_DMN):.1f} | "
                 f"{mean(PAPER_MEMNN):.1f} |")
    lines.append(f"| **mean error** | **{100 * report['mean_error']:.1f}** | | | "
                 f"{100 - mean(PAPER_DMN):.2f} | {100 - mean(PAPER_MEMNN):.2f} |")
    lines.append(f"| **passed (error < 5 %)** | **{report['passed']}/{len(tasks)}** | | | "
                 f"{passed(PAPER_DMN)}/{len(tasks)} | {passed(PAPER_MEMNN)}/{len(tasks)} |")
    return "\n".join(lines) + "\n"
