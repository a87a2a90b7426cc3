"""The Dynamic Memory Network (Kumar et al. 2016, "Ask Me Anything"), one module per part.

Shapes: B batch, L story tokens, T facts, Q question tokens, A answer tokens, H hidden size,
P memory passes, V vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import torch
import torch.nn.functional as F
from torch import nn

from askme.dmn.config import (COMPETITION_MASS_CAP, INFERENCE_MAX_STEPS, INFERENCE_SKIP_GATE,
                              TIME_DISTANCE_CAP, DMNConfig, floored)
from askme.dmn.fused import GatePass, GateStatic
from askme.dmn.gru import dropout_mask, gru_cell, gru_layer, gru_scan, native_applies
from askme.dmn.tokenizer import ANSWER_END_ID, ANSWER_START_ID, PAD_ID

# Marks a free pass among a row's gate targets (the trainer's Supervision.free_pass_tasks): no
# loss, and its episode is made from the model's own gates even under teacher forcing.
FREE_PASS = -2


@dataclass
class Batch:
    """Padded tensors for B questions; see askme.dmn.batches.collate."""

    story: torch.Tensor  # (B, L) story tokens, a FACT_END token after every sentence, PAD after
    fact_positions: torch.Tensor  # (B, T) index in `story` of each FACT_END token
    fact_mask: torch.Tensor  # (B, T) True for a real fact, False for padding
    question: torch.Tensor  # (B, Q) question tokens, PAD after
    question_lengths: torch.Tensor  # (B,) real question tokens (>= 1)
    answer: torch.Tensor | None = None  # (B, A) answer tokens then ANSWER_END, PAD after
    # (B, S) each pass's gate target: a supporting fact's position, or FREE_PASS; -1 after
    supports: torch.Tensor | None = None
    # (B,) True where the passes' episodes are made from the targets, not from the model's
    # gates (teacher forcing); None: no row is forced
    forced: torch.Tensor | None = None

    def _map(self, change) -> "Batch":
        """`change` applied to every tensor field (every field the dataclass has)."""
        return Batch(**{f.name: None if (t := getattr(self, f.name)) is None else change(t)
                        for f in fields(self)})

    def rows(self, which: slice) -> "Batch":
        """The questions `which` picks (the padding stays as wide)."""
        return self._map(lambda t: t[which])

    def to(self, device) -> "Batch":
        return self._map(lambda t: t.to(device))


@dataclass
class Prediction:
    answer_tokens: torch.Tensor  # (B, A) greedy answer, ANSWER_END and PAD after the last token
    passes: torch.Tensor  # (B,) episodes the memory took before it halted
    gates: torch.Tensor  # (B, P, T + 1) sigmoid gate per fact then end-of-passes, each pass run
    choices: torch.Tensor  # (B, P) argmax of each pass's gates (T means end-of-passes)
    confidence: torch.Tensor  # (B,) the decoder's probability of its whole answer, end included


class Dropout(nn.Dropout):
    """nn.Dropout whose training mask, where the compiled kernels run, comes from a hash
    (askme.dmn.gru.dropout_mask): torch's Bernoulli draws were 8 % of a training step."""

    def forward(self, x):
        if self.training and 0 < self.p < 1 and native_applies(x):
            return x * dropout_mask(x, self.p)
        return super().forward(x)


class InputModule(nn.Module):
    """ONE GRU over the whole story; the states at the end-of-sentence tokens are the facts.

    Paper, sec. 2.1: with several sentences "we concatenate all sentences ... inserting an
    end-of-sentence token after each one", and the hidden states at those tokens are c_1..c_T.
    The GRU runs left to right, so right padding cannot change any fact: no packing needed.
    """

    def __init__(self, config: DMNConfig):
        super().__init__()
        self.gru = nn.GRU(config.embed_dim, config.hidden_dim, batch_first=True)

    def forward(self, embedded, fact_positions, h0=None):
        states, last = gru_layer(self.gru, embedded, h0)  # (B, L, H), (1, B, H)
        index = fact_positions.unsqueeze(-1).expand(-1, -1, states.size(-1))
        return states.gather(1, index), last  # (B, T, H)


class QuestionModule(nn.Module):
    """A GRU over the question words (same embeddings as the story); its final state is q."""

    def __init__(self, config: DMNConfig):
        super().__init__()
        self.gru = nn.GRU(config.embed_dim, config.hidden_dim, batch_first=True)

    def forward(self, embedded, lengths):
        states, _ = gru_layer(self.gru, embedded)  # (B, Q, H)
        last = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, states.size(-1))
        return states.gather(1, last).squeeze(1)  # (B, H)


class ComparingUpdate(nn.Module):
    """DMN+'s memory update (Xiong et al. 2016, sec. 3.3: m_i = ReLU(W[m_{i-1}; e_i; q] + b)),
    with the episode compared to the memory as the gate compares facts to it:
    m_i = ReLU(W[m_{i-1}; e_i; e_i∘m_{i-1}; |e_i - m_{i-1}|] + b). Called like a GRUCell."""

    def __init__(self, H: int):
        super().__init__()
        self.linear = nn.Linear(4 * H, H)

    def forward(self, episode, memory):
        features = [memory, episode, episode * memory, (episode - memory).abs()]
        return torch.relu(self.linear(torch.cat(features, dim=-1)))  # (B, H)


def gru_step(cell: nn.GRUCell, gi, h):
    """One step of `cell` from its input projection gi (B, 3H), in PyTorch's gate order."""
    gh = F.linear(h, cell.weight_hh, cell.bias_hh)  # (B, 3H)
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    reset = torch.sigmoid(i_r + h_r)
    update = torch.sigmoid(i_z + h_z)
    new = torch.tanh(i_n + reset * h_n)
    return (1 - update) * new + update * h


@dataclass
class Prepared:
    """What every memory pass over one batch of questions reuses."""

    candidates: torch.Tensor  # (B, T+1, H) the facts, then the end-of-passes vector
    candidate_mask: torch.Tensor  # (B, T+1) real facts and end-of-passes
    fact_mask: torch.Tensor  # (B, T)
    facts_ih: torch.Tensor  # (B, T, 3H) the episode GRU's input projection of the facts
    static: torch.Tensor  # (B, T+1, G) the gate MLP's first layer, question part
    cW: torch.Tensor  # (B, T+1, H) candidates times the bilinear matrix
    first_focus: torch.Tensor  # (B,) where the first pass measures distances from
    question: torch.Tensor  # (B, H) q, which the gate competition's weights read


class EpisodicMemory(nn.Module):
    """m_0 = q; each pass gates every fact, runs a gated GRU over the facts to make the
    episode e_i, and updates m_i = GRU(e_i, m_{i-1}) (paper, sec. 2.3).

    Halting (sec. 2.3, "Criteria for stopping"): a learned end-of-passes vector is scored by
    the same gate beside the facts; the pass whose highest gate is on it ends the memory,
    and its episode is not used. `max_passes` is the backstop.
    """

    def __init__(self, config: DMNConfig):
        super().__init__()
        H = config.hidden_dim
        self.bilinear = nn.Parameter(torch.empty(H, H))  # W^(b) of the c^T W q, c^T W m features
        nn.init.xavier_uniform_(self.bilinear)
        # Two-layer gate MLP over z(c, m, q): G = sigmoid(W2 tanh(W1 z + b1) + b2). Beside the
        # paper's features, z has two time features (see `time_features`), since a fact's
        # gate cannot see the facts after it, yet bAbI asks for "the latest fact about X"
        # and "where X was before Y".
        self.gate_mlp = nn.Sequential(nn.Linear(7 * H + 4, config.gate_hidden_dim), nn.Tanh(),
                                      nn.Linear(config.gate_hidden_dim, 1))
        self.end_of_passes = nn.Parameter(torch.randn(H) * 0.1)
        # config.gate_competition: weights of the later and earlier gate mass, from [m; q]
        self.competition = nn.Linear(2 * H, 2) if config.gate_competition else None
        if self.competition is not None:
            nn.init.zeros_(self.competition.weight)
            nn.init.zeros_(self.competition.bias)
        self.episode_gru = nn.GRUCell(H, H)
        self.memory_gru = (nn.GRUCell(H, H) if config.memory_update == "gru"
                           else ComparingUpdate(H))
        self.max_passes = config.max_passes

    def _first_layer(self):
        """W1 of the gate MLP split by the blocks of z = [c, m, q, c∘q, c∘m, |c−q|, |c−m|,
        cᵀWq, cᵀWm, time] (each block of columns its own matrix)."""
        H = self.bilinear.size(0)
        W = self.gate_mlp[0].weight  # (G, 7H + 4)
        blocks = W[:, :7 * H].split(H, dim=1)  # c, m, q, cq, cm, |c-q|, |c-m|
        return blocks, W[:, 7 * H], W[:, 7 * H + 1], W[:, 7 * H + 2:]

    def question_part(self, candidates, question):
        """The part of W1 z + b1 that does not change between passes (B, T+1, G), and cᵀW
        (B, T+1, H). Computed once per question, so each pass only adds its memory part:
        the same gate as the paper's MLP over all of z, at about half the cost a pass."""
        if torch.is_grad_enabled() and native_applies(question):  # training: one autograd node
            return GateStatic.apply(candidates, question, self.bilinear, self.gate_mlp[0].weight,
                                    self.gate_mlp[0].bias)
        (w_c, _, w_q, w_cq, _, w_acq, _), w_bq, _, _ = self._first_layer()
        c, q = candidates, question.unsqueeze(1)
        cW = c @ self.bilinear  # (B, T+1, H)
        static = (F.linear(c, w_c, self.gate_mlp[0].bias) + F.linear(q, w_q)
                  + F.linear(c * q, w_cq) + F.linear((c - q).abs(), w_acq)
                  + (cW * q).sum(-1, keepdim=True) * w_bq)
        return static, cW

    def gate_logits(self, prepared, memory, time):
        """Scores of every fact and of end-of-passes (B, T+1) for the memory (B, H)."""
        if torch.is_grad_enabled() and native_applies(memory):  # training: one autograd node
            logits = GatePass.apply(prepared.candidates, prepared.static, prepared.cW, memory,
                                    time, self.gate_mlp[0].weight, self.gate_mlp[2].weight,
                                    self.gate_mlp[2].bias)
            return logits.masked_fill(~prepared.candidate_mask, float("-inf"))
        (_, w_m, _, _, w_cm, _, w_acm), _, w_bm, w_t = self._first_layer()
        c, m = prepared.candidates, memory.unsqueeze(1)
        hidden = (prepared.static + F.linear(m, w_m) + F.linear(c * m, w_cm)
                  + F.linear((c - m).abs(), w_acm)
                  + (prepared.cW * m).sum(-1, keepdim=True) * w_bm + F.linear(time, w_t))
        logits = self.gate_mlp[2](torch.tanh(hidden)).squeeze(-1)  # (B, T+1)
        return logits.masked_fill(~prepared.candidate_mask, float("-inf"))  # padding: never

    @staticmethod
    def time_features(fact_mask, focus):
        """(B, T+1, 2): each fact's signed log distance to the question (its recency) and to
        `focus` (B,), the expected position the previous pass attended to (the question at
        the first pass). End-of-passes gets zeros."""
        dtype = focus.dtype  # the facts' (float64 in tests/test_arrays.py)
        position = torch.arange(fact_mask.size(1), device=fact_mask.device, dtype=dtype)  # (T,)
        question_at = fact_mask.sum(1, keepdim=True).to(dtype)  # (B, 1)

        def signed_log(d):
            return torch.sign(d) * torch.log1p(d.abs().clamp(max=TIME_DISTANCE_CAP))

        features = torch.stack([signed_log(position - question_at),
                                signed_log(position - focus.unsqueeze(1))], dim=-1)
        features = features * fact_mask.unsqueeze(-1)
        return F.pad(features, (0, 0, 0, 1))

    @staticmethod
    def focus(logits, fact_mask):
        """Expected fact position under a softmax of the pass's fact gates (B,)."""
        weights = torch.softmax(logits[:, :-1].masked_fill(~fact_mask, -1e9), dim=-1)
        position = torch.arange(fact_mask.size(1), device=fact_mask.device, dtype=logits.dtype)
        return (weights * position).sum(-1).detach()

    def episode(self, facts_ih, gates):
        """Gated GRU over the facts: h_t = g_t GRU(c_t, h_{t-1}) + (1 - g_t) h_{t-1}; e = h_T.

        `facts_ih` (B, T, 3H) is the GRU's input projection of the facts, computed once for
        all passes since the facts do not change between passes. Padded facts have g = 0.
        At inference, a fact whose gate is nearly closed is skipped (see INFERENCE_SKIP_GATE).
        """
        cell = self.episode_gru
        h = facts_ih.new_zeros(facts_ih.size(0), cell.hidden_size)
        if torch.is_grad_enabled():  # training: one autograd node for the whole episode
            return gru_scan(facts_ih.transpose(0, 1), h, cell.weight_hh, cell.bias_hh,
                            gates.transpose(0, 1))[-1]
        steps = gates > INFERENCE_SKIP_GATE  # (B, T)
        if gates.size(1) > INFERENCE_MAX_STEPS:
            kth = gates.topk(INFERENCE_MAX_STEPS, dim=1).values[:, -1:]  # (B, 1)
            steps &= gates >= kth
        steps = steps.any(0).nonzero().flatten().tolist()
        T, done = gates.size(1), 0  # facts before `done` are in h
        for t in steps + [T]:
            if t > done:  # the facts skipped since the last step, at once (see above)
                g = gates[:, done:t].unsqueeze(-1)  # (B, L, 1)
                moves = (g * (gru_step(cell, facts_ih[:, done:t], h.unsqueeze(1))
                              - h.unsqueeze(1))).sum(1)  # (B, H)
                # Divided by the gates' sum where it passes 1 (only under INFERENCE_MAX_STEPS):
                # their mean move then, never past the states they would move to.
                h = h + moves / g.sum(1).clamp_min(1.0)
            if t < T:
                g = gates[:, t].unsqueeze(-1)
                h = g * gru_step(cell, facts_ih[:, t], h) + (1 - g) * h
            done = t + 1
        return h  # (B, H)

    def prepare(self, facts, fact_mask, question) -> "Prepared":
        """What every pass of one question reuses (see `Prepared`)."""
        B, T, H = facts.shape
        candidates = torch.cat([facts, self.end_of_passes.expand(B, 1, H)], dim=1)
        static, cW = self.question_part(candidates, question)
        return Prepared(
            candidates=candidates,
            candidate_mask=torch.cat([fact_mask, fact_mask.new_ones(B, 1)], dim=1),
            fact_mask=fact_mask,
            facts_ih=F.linear(facts, self.episode_gru.weight_ih, self.episode_gru.bias_ih),
            static=static, cW=cW, first_focus=fact_mask.sum(1).to(facts.dtype), question=question)

    def compete(self, logits, memory, question):
        """config.gate_competition: each fact's score less the learned weights (B, 2) times
        the gate mass of the facts after it and of those before it, gates under
        COMPETITION_MASS_FLOOR left out (those just under it in part), each capped at
        COMPETITION_MASS_CAP (end-of-passes as is)."""
        gates = torch.sigmoid(logits[:, :-1])  # (B, T); padding's -inf logits give exactly 0
        gates = floored(gates)
        # Each a running sum from its own end: the total less the other would lose the latest
        # facts' small sums to rounding in a long memory.
        before = (gates.cumsum(1) - gates).clamp(max=COMPETITION_MASS_CAP)  # (B, T)
        after = (gates.flip(1).cumsum(1).flip(1) - gates).clamp(max=COMPETITION_MASS_CAP)
        weights = self.competition(torch.cat([memory, question], dim=-1))  # (B, 2)
        facts = logits[:, :-1] - weights[:, :1] * after - weights[:, 1:] * before
        return torch.cat([facts, logits[:, -1:]], dim=1)

    def score(self, prepared, memory, focus):
        """One pass's gate logits (B, T+1) and the focus the next pass measures from."""
        time = self.time_features(prepared.fact_mask, focus)
        logits = self.gate_logits(prepared, memory, time)
        if self.competition is not None:
            logits = self.compete(logits, memory, prepared.question)
        return logits, self.focus(logits, prepared.fact_mask)

    def forward(self, facts, fact_mask, question, passes: int, forced_gates=None,
                forced_rows=None):
        """Run `passes` passes; returns memories (P+1, B, H), gate logits (P, B, T+1) and
        episodes (P, B, H). `forced_gates` (P, B, T), if given, replaces the gates the
        episodes are made with (the logits are still the model's own), in the passes and
        rows `forced_rows` (P, B) marks, or everywhere when that is None."""
        T = facts.size(1)
        prepared = self.prepare(facts, fact_mask, question)
        memory, focus, memories, all_logits, episodes = question, prepared.first_focus, [question], [], []
        for _ in range(passes):
            logits, focus = self.score(prepared, memory, focus)
            gates = torch.sigmoid(logits[:, :T])  # (B, T); -inf logits give exactly 0
            if forced_gates is not None:
                forced = forced_gates[len(episodes)]
                gates = forced if forced_rows is None else torch.where(
                    forced_rows[len(episodes)].unsqueeze(1), forced, gates)
            episodes.append(self.episode(prepared.facts_ih, gates))
            memory = gru_cell(self.memory_gru, episodes[-1], memory)
            memories.append(memory)
            all_logits.append(logits)
        return torch.stack(memories), torch.stack(all_logits), torch.stack(episodes)

    @staticmethod
    def long_memory_gates(gates, fact_mask):
        """`gates` (B, T), those under COMPETITION_MASS_FLOOR (ramped) closed on the rows of
        more than INFERENCE_MAX_STEPS facts (see there), as an answer's episode reads them."""
        long = fact_mask.sum(1, keepdim=True) > INFERENCE_MAX_STEPS  # (B, 1)
        return torch.where(long, floored(gates), gates)

    @torch.no_grad()
    def run_until_halt(self, facts, fact_mask, question):
        """Inference: pass until each question's highest gate is end-of-passes.

        Returns the final memory (B, H), episodes used (B,), gate logits (P, B, T+1), and
        the episodes (B, P', H) with a mask (B, P') of those each question used.
        """
        B, T, H = facts.shape
        prepared = self.prepare(facts, fact_mask, question)
        memory, focus = question, prepared.first_focus
        passes = torch.zeros(B, dtype=torch.long, device=facts.device)
        running = torch.ones(B, dtype=torch.bool, device=facts.device)
        all_logits, episodes, used = [], [], []
        while True:
            logits, focus = self.score(prepared, memory, focus)
            all_logits.append(logits)
            running = running & (logits.argmax(-1) != T)
            if not running.any():
                break
            gates = self.long_memory_gates(torch.sigmoid(logits[:, :T]), fact_mask)
            episodes.append(self.episode(prepared.facts_ih, gates))
            used.append(running)
            updated = self.memory_gru(episodes[-1], memory)
            memory = torch.where(running.unsqueeze(-1), updated, memory)
            passes += running.long()
            if len(all_logits) == self.max_passes:
                break
        episodes = torch.stack(episodes, 1) if episodes else facts.new_zeros(B, 0, H)
        used = torch.stack(used, 1) if used else running.new_zeros(B, 0)
        return memory, passes, torch.stack(all_logits), episodes, used


class AnswerModule(nn.Module):
    """GRU decoder: a_0 = m; a_t = GRU([y_{t-1}, q], a_{t-1}); y_t = softmax(W a_t) (sec. 2.4).

    The previous token enters through the shared word embeddings (teacher forcing in
    training, the greedy choice at inference) and the question at every step.
    """

    def __init__(self, config: DMNConfig):
        super().__init__()
        H = config.hidden_dim
        reads = config.answer_reads_episodes
        self.gru = nn.GRUCell(config.embed_dim + (2 if reads else 1) * H, H)
        self.out = nn.Linear(H, config.vocab_size)
        self.max_tokens = config.max_answer_tokens
        # Bilinear key of the attention over episodes (config.answer_reads_episodes).
        self.episode_key = nn.Linear(H, H, bias=False) if reads else None
        # One key per pass place (config.answer_pass_keys); zeros: content alone at first.
        self.pass_key = (nn.Parameter(torch.zeros(config.max_passes + 1, H))
                         if config.answer_pass_keys else None)

    def step_input(self, word, question, state, episodes, episode_mask):
        """The decoder GRU's input: [y_{t-1}; q], with episode reading the episodes' mix
        that the state before this step attends to (zero when a question used none)."""
        parts = [word, question]
        if self.episode_key is not None:
            keys, scale = episodes, 1.0  # (B, P, H)
            if self.pass_key is not None:
                places = self.pass_key[:episodes.size(1)]  # a pass past the table: no key
                keys = episodes + F.pad(places, (0, 0, 0, episodes.size(1) - places.size(0)))
                scale = math.sqrt(episodes.size(-1))  # unsaturated scores, so they learn
            scores = torch.einsum("bh,bph->bp", self.episode_key(state), keys) / scale  # (B, P)
            weights = torch.softmax(scores.masked_fill(~episode_mask, float("-inf")), dim=-1)
            weights = weights.nan_to_num(0.0)  # a row with no episode reads nothing
            seen = torch.einsum("bp,bph->bh", weights, episodes)  # (B, H)
            parts.append(seen)
        return torch.cat(parts, dim=-1)

    def forward(self, embed, memory, question, previous_tokens, episodes=None, episode_mask=None):
        """Teacher-forced logits (B, A, V) for `previous_tokens` (B, A) starting with START;
        `episodes` (B, P, H) and `episode_mask` (B, P) are read with answer_reads_episodes."""
        state, outputs = memory, []
        inputs = embed(previous_tokens)  # (B, A, E)
        for t in range(previous_tokens.size(1)):
            step = self.step_input(inputs[:, t], question, state, episodes, episode_mask)
            state = gru_cell(self.gru, step, state)
            outputs.append(state)
        return self.out(torch.stack(outputs, dim=1))

    @torch.no_grad()
    def generate(self, embed, memory, question, banned=None, episodes=None, episode_mask=None):
        """Greedy answer tokens (B, A) and the probability of each row's answer (B,): the
        product of its tokens' probabilities, the end token's included. `banned` (B, V)
        marks tokens a row may not say."""
        B = memory.size(0)
        token = torch.full((B,), ANSWER_START_ID, dtype=torch.long, device=memory.device)
        done = torch.zeros(B, dtype=torch.bool, device=memory.device)
        log_p = torch.zeros(B, device=memory.device)
        state, tokens = memory, []
        for _ in range(self.max_tokens):
            step = self.step_input(embed(token), question, state, episodes, episode_mask)
            state = self.gru(step, state)
            logits = self.out(state)  # (B, V)
            if banned is not None:
                logits = logits.masked_fill(banned, float("-inf"))
            token = logits.argmax(-1).masked_fill(done, PAD_ID)
            chosen = torch.log_softmax(logits, -1).gather(1, token.unsqueeze(1)).squeeze(1)
            log_p = log_p + chosen.masked_fill(done, 0.0)
            tokens.append(token)
            done = done | (token == ANSWER_END_ID)
            if done.all():
                break
        return torch.stack(tokens, dim=1), log_p.exp()  # (B, A), (B,)


class DMN(nn.Module):
    def __init__(self, config: DMNConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=PAD_ID)
        self.input_module = InputModule(config)
        self.question_module = QuestionModule(config)
        self.memory = EpisodicMemory(config)
        self.answer_module = AnswerModule(config)
        self.dropout = Dropout(config.dropout)
        self.word_dropout = Dropout(config.dropout)
        self.set_dropout(config)

    @property
    def arrays(self) -> "TorchArrays":
        """This model answering from numpy arrays, as askme.dmn.arrays.ArrayDMN does. It
        puts the model in eval mode, as answering needs; a trainer calls train() again."""
        self.eval()
        return TorchArrays(self)

    def set_dropout(self, config: DMNConfig) -> None:
        """Train with `config`'s dropout from now on (a later stage may change it)."""
        self.dropout.p = config.dropout
        self.word_dropout.p = config.dropout if config.word_dropout is None else config.word_dropout

    def encode_story(self, story, fact_positions, h0=None):
        """Facts (B, T, H) and the input GRU's last state (1, B, H). Passing that state back
        as `h0` with the next tokens continues the story: how a memory grows one fact at a
        time without re-reading the facts before it."""
        facts, last = self.input_module(self.word_dropout(self.embed(story)), fact_positions, h0)
        return self.dropout(facts), last

    def encode_question(self, question, lengths):
        return self.question_module(self.word_dropout(self.embed(question)), lengths)  # (B, H)

    def encode(self, batch: Batch):
        facts, _ = self.encode_story(batch.story, batch.fact_positions)
        return facts, self.encode_question(batch.question, batch.question_lengths)

    @staticmethod
    def loss_counts(batch: Batch) -> torch.Tensor:
        """What each loss term is averaged over (3,): answer tokens, supervised passes (gate
        cross-entropy) and the same passes again (gate BCE, one row of T+1 gates each).

        They depend on the batch alone, so processes training one global batch together
        (askme.training.distributed) can add theirs up before the forward pass and each divide by
        the global count: the gradients then average to the whole batch's gradient."""
        assert batch.answer is not None and batch.supports is not None
        passes = ((batch.supports >= 0).sum(1) + 1).sum()  # supporting passes, then the halt
        return torch.stack([(batch.answer != PAD_ID).sum(), passes, passes]).double()

    def forward(self, batch: Batch, normalizers: torch.Tensor | None = None):
        """Training step: returns (answer logits (B, A, V), loss).

        Loss = answer cross-entropy + gate cross-entropy (sec. 3.1: "we use supervision of
        the gates"): pass i targets the i-th supporting fact and the pass after the last
        one targets end-of-passes. The answer is decoded from the memory after the last
        supporting pass, so halting is taught, not left to chance.

        Each term is a sum divided by `normalizers` (3,), by default this batch's own
        `loss_counts`: then the terms are plain means.
        """
        assert batch.answer is not None and batch.supports is not None
        facts, q = self.encode(batch)
        B, T, _ = facts.shape
        supports = batch.supports  # (B, S)
        n_supports = (supports != -1).sum(1)  # (B,) passes before the halt, free ones included
        passes = int(n_supports.max()) + 1
        # Supporting fact of each pass (B, P), -1 where the pass has none.
        supports = F.pad(supports, (0, max(0, passes - supports.size(1))), value=-1)[:, :passes]
        forced, forced_rows = None, None
        if batch.forced is not None:
            # Episodes from the supporting facts themselves (teacher forcing): the answer
            # module learns from the episodes a right pass makes, even while the gates
            # are still wrong or split between look-alike facts.
            at = supports.t()  # (P, B)
            forced = F.one_hot(at.clamp(min=0), T).float() * (at >= 0).unsqueeze(-1)
            # (P, B): the rows asked for, except at a free pass, which keeps its own gates
            forced_rows = (at != FREE_PASS) & batch.forced
        memories, logits, episodes = self.memory(facts, batch.fact_mask, q, passes, forced,
                                                 forced_rows)
        final = memories[n_supports, torch.arange(B, device=facts.device)]  # (B, H): m_k, k supports
        episode_mask = torch.arange(passes, device=facts.device) < n_supports.unsqueeze(1)  # (B, P)

        answer_in = torch.cat([batch.answer.new_full((B, 1), ANSWER_START_ID),
                               batch.answer[:, :-1]], dim=1)
        answer_in = answer_in.masked_fill(answer_in == ANSWER_END_ID, PAD_ID)
        answer_logits = self.answer_module(self.embed, final, q, answer_in,
                                           episodes.transpose(0, 1), episode_mask)
        answer_sum = F.cross_entropy(answer_logits.flatten(0, 1), batch.answer.flatten(),
                                     ignore_index=PAD_ID, reduction="sum")

        # Gate targets (B, P): supporting fact i at pass i, then T (end-of-passes), then ignored.
        steps = torch.arange(passes, device=facts.device).unsqueeze(0)  # (1, P)
        targets = torch.where(steps < n_supports.unsqueeze(1), supports,
                              torch.full_like(supports, T))
        targets = targets.masked_fill((steps > n_supports.unsqueeze(1))
                                      | (supports == FREE_PASS), -100)
        pass_logits = logits.transpose(0, 1)  # (B, P, T+1)
        gate_ce_sum = F.cross_entropy(pass_logits.flatten(0, 1), targets.flatten(),
                                      ignore_index=-100, reduction="sum")
        # Sigmoid gates (not a softmax) also learn to be ~1 on the target and ~0 elsewhere,
        # so a distractor fact leaks little into the episode.
        valid = (targets >= 0).unsqueeze(-1) & torch.isfinite(pass_logits)
        one_hot = F.one_hot(targets.clamp(min=0), T + 1).float()
        bce = F.binary_cross_entropy_with_logits(pass_logits.masked_fill(~valid, 0), one_hot,
                                                 reduction="none")
        gate_bce_sum = (bce * valid).sum()

        if normalizers is None:
            normalizers = self.loss_counts(batch)
        n_answer, n_ce, n_bce = normalizers.to(answer_sum.device).float().clamp(min=1).unbind()
        loss = answer_sum / n_answer + self.config.gate_loss_weight * (
            gate_ce_sum / n_ce + gate_bce_sum / n_bce)
        return answer_logits, loss

    @torch.no_grad()
    def predict(self, batch: Batch) -> Prediction:
        facts, q = self.encode(batch)
        return self.answer_facts(facts, batch.fact_mask, q)

    @torch.no_grad()
    def answer_facts(self, facts, fact_mask, q, banned=None) -> Prediction:
        """Answers from encoded facts (B, T, H), their mask (B, T) and questions (B, H);
        `banned` (B, V), if given, marks answer tokens a row may not say."""
        memory, passes, logits, episodes, used = self.memory.run_until_halt(facts, fact_mask, q)
        tokens, confidence = self.answer_module.generate(self.embed, memory, q, banned,
                                                         episodes, used)
        pass_logits = logits.transpose(0, 1)  # (B, P, T+1)
        return Prediction(tokens, passes, torch.sigmoid(pass_logits), pass_logits.argmax(-1),
                          confidence)


class TorchArrays:
    """A DMN behind askme.dmn.arrays.ArrayDMN's interface: numpy arrays in and out, so the
    answer path is written once for both (askme.memory.answering)."""

    def __init__(self, model: DMN):
        self.model, self.config = model, model.config

    def _in(self, array):
        return torch.tensor(array, device=next(self.model.parameters()).device)

    @torch.inference_mode()
    def encode_story(self, story, fact_positions, h0=None):
        facts, last = self.model.encode_story(self._in(story), self._in(fact_positions),
                                              None if h0 is None else self._in(h0).unsqueeze(0))
        return facts.cpu().numpy(), last[0].cpu().numpy()

    @torch.inference_mode()
    def encode_question(self, question, lengths):
        return self.model.encode_question(self._in(question), self._in(lengths)).cpu().numpy()

    @torch.inference_mode()
    def answer_facts(self, facts, fact_mask, q, banned=None) -> Prediction:
        p = self.model.answer_facts(self._in(facts), self._in(fact_mask), self._in(q),
                                    None if banned is None else self._in(banned))
        return Prediction(*(t.cpu().numpy() for t in (p.answer_tokens, p.passes, p.gates,
                                                       p.choices, p.confidence)))


def grown_model(model: DMN, config: DMNConfig, weights: dict, new_part: str) -> DMN:
    """A DMN of `config` (a part added to `model`'s) holding `weights`, `model`'s own, and
    the added part's weights (names starting with `new_part`) as a fresh DMN has them."""
    grown = DMN(config)
    weights.update({name: value for name, value in grown.state_dict().items()
                    if name.startswith(new_part)})
    grown.load_state_dict(weights)
    return grown.to(next(model.parameters()).device)


def with_gate_competition(model: DMN) -> DMN:
    """`model` given the gate competition (DMNConfig.gate_competition) at zero weights, so
    it scores every fact as it did until the weights learn."""
    return grown_model(model, replace(model.config, gate_competition=True), model.state_dict(),
                       "memory.competition.")
