import dataclasses

import pytest
import torch

from conftest import PAPER_DMN
from askme.dmn.batches import Encoded, collate, encode_facts
from askme.dmn.config import DMNConfig
from askme.dmn.model import DMN, FREE_PASS
from askme.dmn.tokenizer import ANSWER_END_ID, Tokenizer

TEXTS = ["Anna walked to the garden.", "Tom ran to the kitchen.", "Where is Anna?", "garden",
         "kitchen", "Anna took the ball there."]


def make(seed=0, **config):
    torch.manual_seed(seed)
    tokenizer = Tokenizer.train(TEXTS)
    model = DMN(DMNConfig(vocab_size=tokenizer.vocab_size, embed_dim=16, hidden_dim=16,
                          gate_hidden_dim=16, max_passes=4, **{**PAPER_DMN, **config}))
    return model.eval(), tokenizer


def item(tokenizer, facts, question, answer="garden", supports=(0,)):
    story, positions = encode_facts(tokenizer, facts)
    return Encoded(story, positions, tokenizer.encode(question),
                   tokenizer.encode_answer(answer) + [ANSWER_END_ID], list(supports))


def test_facts_are_states_at_fact_end_tokens():
    model, tokenizer = make()
    one = item(tokenizer, ["Anna walked to the garden.", "Tom ran to the kitchen."], "Where is Anna?")
    batch = collate([one])
    states, _ = model.input_module.gru(model.embed(batch.story))
    facts, q = model.encode(batch)
    assert facts.shape == (1, 2, 16)
    # the last token is FACT_END (allclose: in training the compiled scan runs, see askme.dmn.gru)
    assert torch.allclose(facts[0, 1], states[0, len(one.story) - 1], atol=1e-6)
    assert torch.allclose(facts[0, 0], states[0, one.fact_positions[0]], atol=1e-6)
    assert q.shape == (1, 16)


def test_padding_changes_no_output():
    model, tokenizer = make()
    short = item(tokenizer, ["Anna walked to the garden."], "Where is Anna?")
    long = item(tokenizer, ["Tom ran to the kitchen."] * 6 + ["Anna took the ball there."],
                "Where is the ball in the garden?", "kitchen,garden", (6, 0))
    alone = model.predict(collate([short]))
    padded = model.predict(collate([short, long]))
    ran = alone.gates.size(1)
    assert torch.equal(alone.passes, padded.passes[:1])
    assert torch.allclose(alone.gates[0, :, 0], padded.gates[0, :ran, 0], atol=1e-6)
    assert torch.allclose(alone.gates[0, :, -1], padded.gates[0, :ran, -1], atol=1e-6)
    assert torch.all(padded.gates[0, :, 1:-1] == 0)  # padded facts never get attention
    width = alone.answer_tokens.size(1)
    assert torch.equal(alone.answer_tokens[0], padded.answer_tokens[0, :width])

    logits_alone, _ = model(collate([short]))
    logits_padded, _ = model(collate([short, long]))
    steps = logits_alone.size(1)
    assert torch.allclose(logits_alone[0], logits_padded[0, :steps], atol=1e-5)


def _force_end(model, from_pass: int, value: float):
    """End-of-passes logit: -100 before pass `from_pass` (1-based), `value` from it on."""
    original = model.memory.gate_logits
    calls = {"n": 0}

    def forced(*args, **kwargs):
        calls["n"] += 1
        logits = original(*args, **kwargs)
        logits[:, -1] = value if calls["n"] >= from_pass else -100.0
        return logits

    model.memory.gate_logits = forced


def test_end_of_passes_forced_high_stops_at_the_first_pass():
    model, tokenizer = make()
    batch = collate([item(tokenizer, ["Anna walked to the garden.", "Tom ran to the kitchen."],
                          "Where is Anna?")] * 2)
    _force_end(model, 1, 100.0)
    prediction = model.predict(batch)
    assert prediction.gates.size(1) == 1  # one pass ran, and it chose end-of-passes
    assert prediction.passes.tolist() == [0, 0]  # so no episode entered the memory
    assert prediction.choices[:, 0].tolist() == [2, 2]


def test_end_of_passes_at_the_second_pass_uses_one_episode():
    model, tokenizer = make()
    batch = collate([item(tokenizer, ["Anna walked to the garden."], "Where is Anna?")])
    _force_end(model, 2, 100.0)
    prediction = model.predict(batch)
    assert prediction.passes.tolist() == [1]
    assert prediction.gates.size(1) == 2


def test_max_passes_is_the_backstop():
    model, tokenizer = make()
    batch = collate([item(tokenizer, ["Anna walked to the garden."], "Where is Anna?")])
    _force_end(model, 1, -100.0)
    prediction = model.predict(batch)
    assert prediction.passes.tolist() == [model.config.max_passes]
    assert prediction.gates.size(1) == model.config.max_passes


def test_gates_are_sigmoids_not_a_softmax():
    model, tokenizer = make()
    facts = ["Anna walked to the garden."] * 5
    prediction = model.predict(collate([item(tokenizer, facts, "Where is Anna?")]))
    gates = prediction.gates[0, 0, :5]
    assert torch.all((gates > 0) & (gates < 1))
    assert not torch.isclose(prediction.gates[0, 0].sum(), torch.tensor(1.0))


def test_word_dropout_is_its_own_setting():
    """word_dropout 0 leaves the words whole in training while the facts still drop out;
    without it (older configs) the words drop out at `dropout`."""
    for word_dropout, words_whole in ((0.0, True), (None, False)):
        model, tokenizer = make(dropout=0.5, word_dropout=word_dropout)
        one = item(tokenizer, ["Anna walked to the garden."], "Where is Anna?")
        batch = collate([one])
        model.train()
        questions = [model.encode_question(batch.question, batch.question_lengths) for _ in range(2)]
        assert torch.equal(*questions) is words_whole
        facts = [model.encode(batch)[0] for _ in range(2)]
        assert not torch.equal(*facts)  # fact dropout is on either way


def test_relu_memory_update_compares_episode_and_memory():
    model, tokenizer = make(memory_update="relu")
    episode, memory = torch.randn(3, 16), torch.randn(3, 16)
    updated = model.memory.memory_gru(episode, memory)
    assert updated.shape == (3, 16) and torch.all(updated >= 0)
    W, b = model.memory.memory_gru.linear.weight, model.memory.memory_gru.linear.bias
    z = torch.cat([memory, episode, episode * memory, (episode - memory).abs()], dim=-1)
    assert torch.allclose(updated, torch.relu(z @ W.T + b))
    prediction = model.predict(collate([item(tokenizer, ["Anna walked to the garden."], "Where is Anna?")]))
    assert prediction.answer_tokens.size(0) == 1


def test_a_banned_answer_token_is_never_said_and_the_rest_is_unchanged():
    model, tokenizer = make()
    batch = collate([item(tokenizer, ["Anna walked to the garden."], "Where is Anna?"),
                     item(tokenizer, ["Tom ran to the kitchen."], "Where is Tom?")])
    facts, mask = model.encode_story(batch.story, batch.fact_positions)[0], batch.fact_mask
    q = model.encode_question(batch.question, batch.question_lengths)
    free = model.answer_facts(facts, mask, q).answer_tokens
    banned = torch.zeros(2, model.config.vocab_size, dtype=torch.bool)
    banned[0, free[0, 0]] = True  # the first row's first choice; the second row is free
    kept = model.answer_facts(facts, mask, q, banned).answer_tokens
    assert kept[0, 0] != free[0, 0] and not banned[0, kept[0]].any()
    assert torch.equal(kept[1], free[1])


def test_the_decoder_reads_the_episodes_it_is_given():
    """With answer_reads_episodes each decoder step attends over the episodes: other
    episodes give other logits, and a question that used none reads nothing (no NaN)."""
    model, tokenizer = make(answer_reads_episodes=True)
    batch = collate([item(tokenizer, ["Anna walked to the garden.", "Tom ran to the kitchen."],
                          "Where is Anna?", "garden", (0, 1))])
    logits, loss = model(batch)
    assert torch.isfinite(loss)
    facts, q = model.encode(batch)
    memory, answer_in = q, torch.tensor([[1]])
    episodes, used = torch.randn(1, 2, 16), torch.ones(1, 2, dtype=torch.bool)
    read = model.answer_module(model.embed, memory, q, answer_in, episodes, used)
    other = model.answer_module(model.embed, memory, q, answer_in, episodes.flip(1) * 2, used)
    assert not torch.allclose(read, other)
    none = model.answer_module(model.embed, memory, q, answer_in, episodes, ~used)
    zeros = model.answer_module(model.embed, memory, q, answer_in, torch.zeros(1, 2, 16), used)
    assert torch.allclose(none, zeros)  # a masked-out episode is not read at all

    _force_end(model, 1, 100.0)  # halts before any episode
    prediction = model.predict(batch)
    assert prediction.passes.tolist() == [0] and prediction.answer_tokens.size(0) == 1


def test_a_pass_key_picks_which_episode_a_decoder_step_reads():
    """With answer_pass_keys the attention keys each episode by its pass's place as well as
    by its content: episodes the state scores alike are read by place, and with the keys at
    their zero start the read is the plain attention's, scores scaled by sqrt(H)."""
    model, _ = make(answer_reads_episodes=True, answer_pass_keys=True)
    answer = model.answer_module
    assert answer.pass_key.shape == (5, 16) and not answer.pass_key.any()  # max_passes + 1
    word, question, state = torch.zeros(1, 16), torch.zeros(1, 16), torch.randn(1, 16)
    episodes, used = torch.randn(1, 3, 16), torch.ones(1, 3, dtype=torch.bool)
    plain = torch.softmax(answer.episode_key(state) @ episodes[0].T / 4.0, dim=-1)  # sqrt(16)
    read = answer.step_input(word, question, state, episodes, used)[:, -16:]
    assert torch.allclose(read, plain @ episodes[0], atol=1e-6)
    with torch.no_grad():
        answer.pass_key[1] = 1000.0 * answer.episode_key(state)[0]  # place 1 outscores content
    read = answer.step_input(word, question, state, episodes, used)[:, -16:]
    assert torch.allclose(read, episodes[:, 1], atol=1e-5)
    with torch.no_grad():
        answer.pass_key.zero_()
        answer.pass_key[4] = 1000.0 * answer.episode_key(state)[0]
    many = torch.randn(1, 7, 16)  # more passes than the table: the rest have no place key
    read = answer.step_input(word, question, state, many, torch.ones(1, 7, dtype=torch.bool))
    assert torch.allclose(read[:, -16:], many[:, 4], atol=1e-5)
    with pytest.raises(ValueError, match="needs answer_reads_episodes"):
        DMNConfig(answer_reads_episodes=False, answer_pass_keys=True)


THREE_FACTS = ["Anna walked to the garden.", "Tom ran to the kitchen.", "Anna took the ball there."]


def episode_gates(model, run) -> list[torch.Tensor]:
    """The gates (B, T) each episode was made with while `run()` ran."""
    seen = []
    original = model.memory.episode

    def spy(facts_ih, gates):
        seen.append(gates.clone())
        return original(facts_ih, gates)

    model.memory.episode = spy
    try:
        run()
    finally:
        model.memory.episode = original
    return seen


def forced(batch, *rows: bool):
    """`batch` with teacher forcing on the rows given True (as the trainer hands it over)."""
    return dataclasses.replace(batch, forced=torch.tensor(rows))


def test_teacher_forced_gates_make_each_episode_from_its_supporting_fact():
    model, tokenizer = make()
    batch = forced(collate([item(tokenizer, THREE_FACTS, "Where is Anna?", "garden", (2, 0))]),
                   True)
    model.train()
    seen = episode_gates(model, lambda: model(batch))
    assert [g[0].tolist() for g in seen[:2]] == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert seen[2].sum() == 0  # the halting pass has no supporting fact and no episode
    model.eval()
    seen = episode_gates(model, lambda: model.predict(batch))
    assert all(torch.all((g > 0) & (g < 1)) for g in seen)  # inference: the model's own gates


def test_teacher_forcing_forces_only_the_rows_asked_for():
    """A forced row's episodes come from its supporting facts, the unforced row beside it
    keeps the model's own gates."""
    model, tokenizer = make()
    rows = [item(tokenizer, THREE_FACTS, "Where is Anna?", "garden", (2, 0)) for _ in range(2)]
    batch = forced(collate(rows), True, False)
    model.train()
    seen = episode_gates(model, lambda: model(batch))
    assert [g[0].tolist() for g in seen[:2]] == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert all(torch.all((g[1] > 0) & (g[1] < 1)) for g in seen)  # row 2: its own gates


def test_gate_loss_weight_scales_only_the_gate_terms():
    facts = ["Anna walked to the garden.", "Tom ran to the kitchen.", "Anna took the ball there."]
    losses = {}
    for weight in (0.0, 1.0, 3.0):
        model, tokenizer = make(gate_loss_weight=weight)
        _, losses[weight] = model(collate([item(tokenizer, facts, "Where is Anna?", supports=(0,))]))
    gate_part = losses[1.0] - losses[0.0]
    assert gate_part > 0.1  # an untrained model's gates are far from the supporting fact
    assert torch.isclose(losses[3.0] - losses[0.0], 3 * gate_part, rtol=1e-5)


def test_a_free_pass_target_runs_on_the_models_own_gates_before_the_forced_passes():
    """A row whose targets start with FREE_PASS runs one pass on its own gates (no target,
    not forced) before the passes its supporting facts force; the row beside it does not."""
    model, tokenizer = make()
    rows = [item(tokenizer, THREE_FACTS, "Where is Anna?", "garden", (2, 0)) for _ in range(2)]
    batch = forced(dataclasses.replace(collate(rows), supports=torch.tensor(
        [[FREE_PASS, 2, 0], [2, 0, -1]])), True, True)
    model.train()
    seen = episode_gates(model, lambda: model(batch))
    assert len(seen) == 4  # the free pass, two supporting facts, the halting pass
    assert torch.all((seen[0][0] > 0) & (seen[0][0] < 1))  # the free pass: its own gates
    assert [g[0].tolist() for g in seen[1:3]] == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert [g[1].tolist() for g in seen[:2]] == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]


def test_a_free_pass_has_no_gate_loss():
    """The free pass's gates are left to the answer and the later passes: however its logits
    move, the gate terms are those of the supervised passes alone."""
    rows = []
    for weight in (0.0, 1.0):
        model, tokenizer = make(gate_loss_weight=weight)
        one = item(tokenizer, THREE_FACTS, "Where is Anna?", "garden", (FREE_PASS, 2))
        rows.append(model(collate([one]))[1])
    answer_only, both = rows
    model, tokenizer = make(gate_loss_weight=1.0)
    batch = collate([item(tokenizer, THREE_FACTS, "Where is Anna?", "garden", (FREE_PASS, 2))])
    facts, q = model.encode(batch)
    _, logits, _ = model.memory(facts, batch.fact_mask, q, 3)
    # Pass 2 targets fact 2 and pass 3 end-of-passes (index 3); pass 1 has no term.
    targets = torch.tensor([2, 3])
    ce = torch.nn.functional.cross_entropy(logits[1:, 0], targets)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(
        logits[1:, 0], torch.nn.functional.one_hot(targets, 4).float(), reduction="sum") / 2
    assert torch.isclose(both - answer_only, ce + bce, rtol=1e-4)


def test_a_config_saved_before_a_field_existed_loads_as_made_without_it():
    from askme.dmn.config import DMNConfig

    old = DMNConfig.from_dict({"vocab_size": 10, "embed_dim": 8, "hidden_dim": 8,
                               "gate_hidden_dim": 8, "dropout": 0.3, "max_passes": 4})
    assert (old.memory_update, old.answer_reads_episodes, old.answer_pass_keys,
            old.gate_competition, old.word_dropout) == ("gru", False, False, False, None)
    shipped = DMNConfig()  # today's defaults are the shipped model's
    assert (shipped.hidden_dim, shipped.memory_update, shipped.gate_competition) == (
        80, "relu", True)


def test_confidence_is_the_probability_of_the_answer_the_decoder_gave():
    """The product of each answer token's probability, the end token's included, as the
    teacher-forced decoder computes them for the same tokens; padding after the end adds
    nothing."""
    from askme.dmn.tokenizer import ANSWER_START_ID, PAD_ID

    model, tokenizer = make(seed=2)
    rows = [item(tokenizer, THREE_FACTS, "Where is Anna?"), item(tokenizer, THREE_FACTS[:1],
                                                                 "Where is Tom?")]
    batch = collate(rows)
    prediction = model.predict(batch)
    facts, q = model.encode(batch)
    memory, _, _, episodes, used = model.memory.run_until_halt(facts, batch.fact_mask, q)
    tokens = prediction.answer_tokens  # (B, A)
    previous = torch.cat([torch.full_like(tokens[:, :1], ANSWER_START_ID), tokens[:, :-1]], 1)
    previous = previous.masked_fill(previous == ANSWER_END_ID, PAD_ID)
    logits = model.answer_module(model.embed, memory, q, previous, episodes, used)  # (B, A, V)
    chosen = torch.log_softmax(logits, -1).gather(2, tokens.unsqueeze(2)).squeeze(2)
    ended = torch.cumsum(tokens == ANSWER_END_ID, 1) - (tokens == ANSWER_END_ID).long()
    expected = chosen.masked_fill(ended > 0, 0.0).sum(1).exp()  # up to the end token
    assert torch.allclose(prediction.confidence, expected, atol=1e-5)
    assert torch.all((prediction.confidence > 0) & (prediction.confidence <= 1))


@pytest.mark.parametrize("arrays", [False, True])
def test_the_latest_facts_gate_alike_after_60_facts_or_6000(arrays):
    # The gate competition weighs the gate mass before and after each fact: summed over every
    # fact it grows with the memory, and thousands of small gates before the latest facts
    # opened theirs at 10,000 facts. Capped (COMPETITION_MASS_CAP), the latest facts score
    # alike however much comes before them.
    model, _ = make(seed=3, gate_competition=True)
    with torch.no_grad():
        model.memory.competition.weight.normal_(0, 1.0)
        model.memory.competition.bias.fill_(-1.0)
    if arrays:
        from askme.dmn.arrays import ArrayDMN

        numpy_model = ArrayDMN(model.config, {k: v.numpy() for k, v in model.state_dict().items()})
    torch.manual_seed(4)
    latest, question = torch.randn(1, 5, 16), torch.randn(1, 16)
    firsts = []
    for earlier in (55, 5995):
        facts = torch.cat([torch.randn(1, earlier, 16), latest], dim=1)
        mask = torch.ones(1, facts.size(1), dtype=torch.bool)
        if arrays:
            _, _, logits, _, _ = numpy_model.run_until_halt(facts.numpy(), mask.numpy(),
                                                            question.numpy())
            firsts.append(torch.from_numpy(logits[0, 0, -6:-1]))
        else:
            _, _, logits, _, _ = model.memory.run_until_halt(facts, mask, question)
            firsts.append(logits[0, 0, -6:-1])
    assert torch.allclose(*firsts, atol=1e-4), firsts


def test_time_features_stop_at_the_longest_distance_training_saw():
    # A fact 9,999 facts back reads as one TIME_DISTANCE_CAP back, in both answer paths: a
    # feature beyond any training saw shut the first facts of a long memory.
    import math

    import numpy as np

    from askme.dmn.arrays import _signed_log
    from askme.dmn.config import TIME_DISTANCE_CAP

    model, _ = make(seed=1)
    mask = torch.ones(1, 10000, dtype=torch.bool)
    focus = torch.tensor([10000.0])
    time = model.memory.time_features(mask, focus)  # (1, T+1, 2)
    limit = math.log1p(TIME_DISTANCE_CAP)
    assert time[0, 0].tolist() == pytest.approx([-limit, -limit])
    assert time[0, 9999].tolist() == pytest.approx([-math.log1p(1)] * 2)
    assert time[0, 10000].tolist() == [0.0, 0.0]  # end-of-passes
    assert np.allclose(_signed_log(np.array([-9999.0, -1.0, 0.0, 3.0])),  # the numpy path's
                       [-limit, -math.log1p(1), 0.0, math.log1p(3)])
