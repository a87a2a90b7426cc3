"""A memory's facts as the model holds them: encodings kept in the store per model, so a
memory is read once and grows one fact at a time (paper, sec. 2.1: one input GRU over the
whole story, so a new fact continues from the last one's state)."""

from __future__ import annotations

import array
import json
from dataclasses import dataclass
from typing import Any, Callable

from askme.dmn.entities import EntityMap


@dataclass
class EncodedFacts:
    """Facts as the model holds them: the user's texts, their encodings (T, H) as a float32
    numpy array, and the entity slots (askme.dmn.entities) as they stand after the last fact
    (None: the model has no lexicon, so every word is read as it is)."""

    texts: list[str]
    vectors: Any
    entities: EntityMap | None = None
    # The same facts read for a question about a person (EntityMap.for_person_answers), on
    # demand: a stored memory keeps that reading's encodings too; None encodes it afresh.
    person_reading: Callable[[], "EncodedFacts"] | None = None


def new_entities(checkpoint, person: bool = False) -> EntityMap | None:
    """Fresh slots for a memory: `person` gives the reading for questions about a person."""
    lexicon = getattr(checkpoint, "lexicon", None)
    if lexicon is None:
        return None
    return EntityMap.for_person_answers(lexicon) if person else EntityMap(lexicon)


def encode_facts(checkpoint, texts: list[str], after: EncodedFacts | None = None,
                 person: bool = False) -> EncodedFacts:
    """`texts` told after the facts of `after` (or at the start of a story), encoded;
    `person`: read for questions about a person (see answer_prefixes)."""
    import numpy as np

    entities = (after.entities.copy() if after and after.entities
                else new_entities(checkpoint, person))
    if after is not None and after.entities is None and after.texts:
        entities = None  # facts encoded without slots go on without them
    model_texts = entities.rewrite_all(texts) if entities is not None else texts
    last = after.vectors[-1] if after is not None and len(after.vectors) else None
    vectors = encode_more(checkpoint, model_texts, last)
    if after is None:
        return EncodedFacts(list(texts), vectors, entities)
    return EncodedFacts(after.texts + list(texts), np.concatenate([after.vectors, vectors]),
                        entities)


def encode_more(checkpoint, texts: list[str], after=None):
    """Encodings (n, H) of facts `texts` (in the model's words) told after a fact encoded as
    `after` (H,), or at the start of a story: the input GRU simply goes on from that state
    (paper, sec. 2.1: one GRU over the whole story), so earlier facts are never read again."""
    import numpy as np

    from askme.dmn.batches import encode_facts as token_ids

    H = checkpoint.model.config.hidden_dim
    if not texts:
        return np.empty((0, H), np.float32)
    story, positions = token_ids(checkpoint.tokenizer, texts)
    h0 = None if after is None else np.asarray(after, np.float32).reshape(1, H)
    facts, _ = checkpoint.model.arrays.encode_story(np.array([story]), np.array([positions]), h0)
    return facts[0]


def _blob(vector) -> bytes:
    """A float32 vector as bytes (the array module: no numpy needed, and fast)."""
    return array.array("f", vector.tolist()).tobytes()


def _vectors(blobs: list[bytes], hidden: int):
    import numpy as np

    if not blobs:
        return np.empty((0, hidden), np.float32)
    return np.frombuffer(bytearray(b"".join(blobs)), dtype=np.float32).reshape(-1, hidden)


# The store keeps a second reading of a memory, for questions about a person, under the
# model's fingerprint with this suffix.
PERSON_READING = "+person"


def _stored_entities(checkpoint, store, key: str, name: str, last_fact: int
                     ) -> EntityMap | None:
    """The memory's entity slots after fact `last_fact`, if the store kept them."""
    kept = store.entity_map(name, key)
    if kept is None or kept[0] != last_fact:
        return None
    state = json.loads(kept[1])
    if "seen" not in state:  # kept by an askme before EntityMap.seen: rebuilt from the facts
        return None
    return EntityMap.from_state(checkpoint.lexicon, state)


def memory_facts(checkpoint, store, name: str, person: bool = False) -> EncodedFacts:
    """The memory's facts and their encodings, from the store's cache where it has them;
    facts not yet encoded by this model are encoded now and cached. `person`: the reading
    for a question about a person (see answer_prefixes), cached the same way."""
    import numpy as np

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
            entities = new_entities(checkpoint, person)
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
        vectors = np.concatenate([vectors, new])
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
