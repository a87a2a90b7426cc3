"""The DMN's answer path on numpy: the same equations as askme.dmn.model at inference, so
that answering a question never waits for `import torch` (about 1.3 s of a 1.5 s `askme
ask`; numpy imports in about 0.1 s). Training, and eval's batches, stay on torch; a test
holds this path to torch's answers, passes and gates (tests/test_arrays.py).

The weights are read from the checkpoint's `weights.pt` without torch: it is a zip of raw
little-endian tensors and a pickle naming them, read here by an unpickler that builds
nothing but arrays (anything else in the pickle is refused).
"""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askme.dmn.config import (COMPETITION_MASS_CAP, INFERENCE_MAX_STEPS, INFERENCE_SKIP_GATE,
                              TIME_DISTANCE_CAP, DMNConfig, floored)
from askme.dmn.tokenizer import ANSWER_END_ID, ANSWER_START_ID, PAD_ID


# float32, as torch computes: on bAbI's whole test the gates are within 2e-5 of torch's
# (other BLAS kernels sum in other orders); in float64 they are 1.5e-5 away, torch's own
# rounding, so double precision buys nothing in use. In float64 on both sides they agree
# to 1e-13: the same equations (tests/test_arrays.py).
DTYPE = np.float32

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64,
           "IntStorage": np.int32, "BoolStorage": np.bool_, "HalfStorage": np.float16}


class _Storage:
    def __init__(self, dtype):
        self.dtype = dtype


class _StateUnpickler(pickle.Unpickler):
    """Unpickles a torch state dict as numpy arrays; any other object is refused."""

    def __init__(self, file, archive: zipfile.ZipFile, prefix: str):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            import collections

            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _DTYPES:
            return _Storage(_DTYPES[name])
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a state dict")

    def persistent_load(self, pid):
        kind, storage, key, _location, numel = pid
        if kind != "storage" or not isinstance(storage, _Storage):
            raise pickle.UnpicklingError("not a tensor storage")
        data = self.archive.read(f"{self.prefix}data/{key}")
        return np.frombuffer(data, dtype=np.dtype(storage.dtype).newbyteorder("<"), count=numel)


def _rebuild_tensor(storage, offset, size, stride, *_):
    size, stride = tuple(size), tuple(stride)
    if (not all(isinstance(n, int) and n >= 0 for n in (offset, *size, *stride))
            or len(size) != len(stride)):
        raise pickle.UnpicklingError("a tensor of odd shape")
    if not all(size):
        return np.zeros(size, storage.dtype)
    if offset + sum((n - 1) * s for n, s in zip(size, stride)) >= len(storage):
        raise pickle.UnpicklingError("a tensor reaches past its storage")
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=size,
                                           strides=tuple(s * storage.itemsize for s in stride))
    return np.array(view)  # its own, writable, contiguous copy


def load_state(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a state dict saved by torch.save (askme's weights.pt); ValueError
    says why a file is not one."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickled = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if len(pickled) != 1:
                raise ValueError("no data.pkl: not a torch state dict")
            prefix = pickled[0][: -len("data.pkl")]
            with archive.open(pickled[0]) as handle:
                state = _StateUnpickler(handle, archive, prefix).load()
    except (OSError, zipfile.BadZipFile, pickle.UnpicklingError, KeyError, EOFError) as error:
        raise ValueError(str(error) or type(error).__name__) from None
    if not isinstance(state, dict):
        raise ValueError("not a state dict")
    return {name: np.asarray(value) for name, value in state.items()}


def _sigmoid(x):
    # As tanh: no exp to overflow, so no warning to silence (np.errstate costs more than
    # the sigmoid on a vector of 80).
    return 0.5 * np.tanh(0.5 * x) + 0.5


def _signed_log(d):
    """EpisodicMemory.time_features' distance feature: sign(d) log(1 + min(|d|, cap))."""
    return np.sign(d) * np.log1p(np.minimum(np.abs(d), TIME_DISTANCE_CAP))


@dataclass(frozen=True)
class _Cell:
    """A GRU cell's weights laid out so that a step is ten elementwise numpy calls: on
    vectors of 80 a call costs more than its arithmetic, so the calls are what a step costs.
    Transposed, with the reset and update columns negated: sigmoid(a) = 1 / (1 + exp(-a)),
    and the step divides by 1 + exp(-a) where it would multiply by the gate. b_hh's reset
    and update parts join the input's bias, which every step adds anyway."""

    w_ih: np.ndarray  # (In, 3H)
    b_x: np.ndarray  # (3H,)
    w_hh: np.ndarray  # (H, 3H)
    b_hn: np.ndarray  # (H,)
    one: np.ndarray  # (2H,): adding an array costs less than adding a Python number
    # w_hh with b_hn as a last row: a state kept with a trailing 1 gets gh + b_hn from the
    # product itself, one call a step fewer (_gru_run).
    w_hh_1: np.ndarray  # (H + 1, 3H)

    @classmethod
    def of(cls, w_ih, w_hh, b_ih, b_hh) -> "_Cell":
        H = w_hh.shape[1]
        sign = np.ones(3 * H, w_hh.dtype)
        sign[:2 * H] = -1
        b_x = (b_ih + np.concatenate([b_hh[:2 * H], np.zeros(H, w_hh.dtype)])) * sign
        w_hh_t = np.ascontiguousarray((w_hh * sign[:, None]).T)
        b_hn = b_hh[2 * H:].copy()
        last = np.concatenate([np.zeros(2 * H, w_hh.dtype), b_hn])[None]
        return cls(np.ascontiguousarray((w_ih * sign[:, None]).T), b_x, w_hh_t, b_hn,
                   np.ones(2 * H, w_hh.dtype), np.concatenate([w_hh_t, last]))

    def project(self, x):
        """The input's part of every step (..., 3H), for a step or a sequence at once."""
        return x @ self.w_ih + self.b_x


# exp(-a) overflows to inf where a gate is 0 (1 / inf is that 0): not worth a warning.
_OVERFLOW_IS_A_CLOSED_GATE = np.errstate(over="ignore")


def _gru_step(x_proj, h, cell: _Cell):
    """One GRU step, PyTorch's equations, from the input projection `cell.project(x)`.
    Its callers silence exp's overflow once, around their loops (_OVERFLOW_IS_A_CLOSED_GATE:
    np.errstate costs about what a step does)."""
    H = h.shape[-1]
    gh = h @ cell.w_hh  # (..., 3H)
    inverse = np.exp(x_proj[..., :2 * H] + gh[..., :2 * H]) + cell.one  # 1 / (r, z)
    new = np.tanh(x_proj[..., 2 * H:] + (gh[..., 2 * H:] + cell.b_hn) / inverse[..., :H])
    return new + (h - new) / inverse[..., H:]  # (1 - z) n + z h


def _gru_run(proj, h0, cell: _Cell):
    """Every state (L, ..., H) of a GRU over input projections (L, ..., 3H) from h0 (..., H):
    _gru_step's equations, each call writing into arrays made once (ten calls a step,
    against _gru_step's eleven that allocate and slice: a third less time a step on a
    user's story of 70 tokens).
    Callers silence exp's overflow as _gru_step's do."""
    L, H = proj.shape[0], h0.shape[-1]
    x_rz = list(np.ascontiguousarray(proj[..., :2 * H]))  # rows made in one C loop, not L
    x_n = list(np.ascontiguousarray(proj[..., 2 * H:]))
    kept = np.ones((L + 1, *h0.shape[:-1], H + 1), h0.dtype)  # each state, and a 1 (w_hh_1)
    states = kept[..., :H]
    states[0] = h0
    gh = np.empty((*h0.shape[:-1], 3 * H), h0.dtype)
    inverse = np.empty((*h0.shape[:-1], 2 * H), h0.dtype)  # 1 / (r, z)
    new, moved = np.empty_like(h0), np.empty_like(h0)
    gh_rz, gh_n, inverse_r, inverse_z = gh[..., :2 * H], gh[..., 2 * H:], inverse[..., :H], inverse[..., H:]
    add, divide, dot, exp, tanh, subtract = np.add, np.divide, np.dot, np.exp, np.tanh, np.subtract
    w_hh_1, one, h = cell.w_hh_1, cell.one, list(states)
    for kept_h, h_t, h_next, rz, n in zip(kept, h, h[1:], x_rz, x_n):
        dot(kept_h, w_hh_1, out=gh)
        add(rz, gh_rz, out=inverse)
        exp(inverse, out=inverse)
        add(inverse, one, out=inverse)
        divide(gh_n, inverse_r, out=new)
        add(new, n, out=new)
        tanh(new, out=new)
        subtract(h_t, new, out=moved)
        divide(moved, inverse_z, out=moved)
        add(new, moved, out=h_next)  # (1 - z) n + z h
    return states[1:]


@dataclass
class Prediction:
    """As askme.dmn.model.Prediction, of numpy arrays."""

    answer_tokens: np.ndarray  # (B, A)
    passes: np.ndarray  # (B,)
    gates: np.ndarray  # (B, P, T + 1)
    choices: np.ndarray  # (B, P)
    confidence: np.ndarray  # (B,)


def weight_shapes(config: DMNConfig) -> dict[str, tuple[int, ...]]:
    """The state dict a DMN of `config` has (askme.dmn.model), by name and shape."""
    V, E, H, G = config.vocab_size, config.embed_dim, config.hidden_dim, config.gate_hidden_dim
    shapes = {"embed.weight": (V, E)}
    for part, width in (("input_module", E), ("question_module", E)):
        shapes |= {f"{part}.gru.weight_ih_l0": (3 * H, width), f"{part}.gru.weight_hh_l0": (3 * H, H),
                   f"{part}.gru.bias_ih_l0": (3 * H,), f"{part}.gru.bias_hh_l0": (3 * H,)}
    shapes |= {"memory.bilinear": (H, H), "memory.end_of_passes": (H,),
               "memory.gate_mlp.0.weight": (G, 7 * H + 4), "memory.gate_mlp.0.bias": (G,),
               "memory.gate_mlp.2.weight": (1, G), "memory.gate_mlp.2.bias": (1,)}
    if config.gate_competition:
        shapes |= {"memory.competition.weight": (2, 2 * H), "memory.competition.bias": (2,)}
    cells = [("memory.episode_gru", H)]
    if config.memory_update == "relu":
        shapes |= {"memory.memory_gru.linear.weight": (H, 4 * H), "memory.memory_gru.linear.bias": (H,)}
    else:
        cells.append(("memory.memory_gru", H))
    reads = config.answer_reads_episodes
    cells.append(("answer_module.gru", E + (2 if reads else 1) * H))
    for cell, width in cells:
        shapes |= {f"{cell}.weight_ih": (3 * H, width), f"{cell}.weight_hh": (3 * H, H),
                   f"{cell}.bias_ih": (3 * H,), f"{cell}.bias_hh": (3 * H,)}
    shapes |= {"answer_module.out.weight": (V, H), "answer_module.out.bias": (V,)}
    if reads:
        shapes["answer_module.episode_key.weight"] = (H, H)
    if config.answer_pass_keys:
        shapes["answer_module.pass_key"] = (config.max_passes + 1, H)
    return shapes


class ArrayDMN:
    """A DMN's answer path over its weights as numpy arrays (float32, or `dtype`)."""

    def __init__(self, config: DMNConfig, state: dict[str, np.ndarray], dtype=DTYPE):
        self.config, self.dtype = config, np.dtype(dtype)
        self.w = {name: value.astype(self.dtype) for name, value in state.items()}
        wanted = weight_shapes(config)
        if set(self.w) != set(wanted):
            odd = sorted(set(self.w) ^ set(wanted))
            raise ValueError(f"weights of another model ({', '.join(odd[:3])} ...)")
        for name, shape in wanted.items():
            if self.w[name].shape != shape:
                raise ValueError(f"{name} is {self.w[name].shape}, not {shape}: weights of "
                                 f"another model")
        w, H = self.w, config.hidden_dim
        suffixed = {"input_module.gru": "_l0", "question_module.gru": "_l0"}
        self.cells = {
            name: _Cell.of(*(w[f"{name}.{part}{suffixed.get(name, '')}"]
                             for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
            for name in ("input_module.gru", "question_module.gru", "memory.episode_gru",
                         "memory.memory_gru", "answer_module.gru")
            if f"{name}.weight_hh{suffixed.get(name, '')}" in w}
        # The gate MLP's first layer (EpisodicMemory._first_layer: z's blocks are c, m, q,
        # c∘q, c∘m, |c − q|, |c − m|, then the bilinear terms cᵀWq, cᵀWm and the two time
        # features) as two matrices: the columns of what a question fixes, multiplied once
        # per question, and those of what each pass's memory changes (as askme.dmn.fused).
        W1 = w["memory.gate_mlp.0.weight"]

        def columns(*spans):
            return np.ascontiguousarray(np.concatenate([W1[:, a:b] for a, b in spans], 1).T)

        self.w_static = columns((0, H), (3 * H, 4 * H), (5 * H, 6 * H), (7 * H, 7 * H + 1),
                                (7 * H + 2, 7 * H + 3))  # (3H + 2, G): c, c∘q, |c − q|, cᵀWq, t_q
        self.w_moving = columns((4 * H, 5 * H), (6 * H, 7 * H), (7 * H + 1, 7 * H + 2),
                                (7 * H + 3, 7 * H + 4))  # (2H + 2, G): c∘m, |c − m|, cᵀWm, t_m
        self.w_q, self.w_m = (np.ascontiguousarray(W1[:, k * H:(k + 1) * H].T) for k in (2, 1))
        self.w_2 = np.ascontiguousarray(w["memory.gate_mlp.2.weight"][0])  # (G,)
        self.transposed = {name: np.ascontiguousarray(w[name].T) for name in (
            "memory.competition.weight", "memory.memory_gru.linear.weight",
            "answer_module.out.weight", "answer_module.episode_key.weight") if name in w}

    @property
    def arrays(self) -> "ArrayDMN":
        """The answer path of numpy arrays (as DMN.arrays): this one."""
        return self

    def eval(self) -> "ArrayDMN":  # as nn.Module.eval: there is no training mode here
        return self

    def parameter_count(self) -> int:
        return sum(value.size for value in self.w.values())

    @_OVERFLOW_IS_A_CLOSED_GATE
    def _gru_sequence(self, prefix: str, x, h0=None):
        """All states (B, L, H) of the one-layer GRU `prefix` over x (B, L, E)."""
        cell = self.cells[prefix]
        proj = cell.project(x)  # (B, L, 3H)
        B, L = x.shape[:2]
        h = np.zeros((B, self.config.hidden_dim), self.dtype) if h0 is None else h0
        if B == 1:  # a user's story: vectors, a little cheaper per step than rows
            return _gru_run(proj[0], h[0].astype(self.dtype), cell)[None]
        return _gru_run(proj.transpose(1, 0, 2), h.astype(self.dtype), cell).transpose(1, 0, 2)

    def encode_story(self, story, fact_positions, h0=None):
        """Facts (B, T, H) and the input GRU's last state (B, H) of token ids (B, L); `h0`
        (B, H) continues a story told before."""
        story = np.asarray(story)
        states = self._gru_sequence("input_module.gru", self.w["embed.weight"][story], h0)
        positions = np.asarray(fact_positions)
        facts = states[np.arange(len(positions))[:, None], positions]  # (B, T, H)
        return facts, states[:, -1]

    def encode_question(self, question, lengths):
        """q (B, H) of question token ids (B, Q), each row read to its length."""
        states = self._gru_sequence("question_module.gru", self.w["embed.weight"][np.asarray(question)])
        last = np.maximum(np.asarray(lengths) - 1, 0)
        return states[np.arange(len(last)), last]

    # ---- episodic memory -----------------------------------------------------------------

    def _episode(self, facts_ih, gates):
        """The gated GRU over the facts, skipping facts whose gate is nearly closed as
        EpisodicMemory.episode does at inference."""
        cell = self.cells["memory.episode_gru"]
        B, T = gates.shape
        h = np.zeros((B, self.config.hidden_dim), self.dtype)
        steps = gates > INFERENCE_SKIP_GATE
        if T > INFERENCE_MAX_STEPS:
            kth = -np.sort(-gates, axis=1)[:, INFERENCE_MAX_STEPS - 1:INFERENCE_MAX_STEPS]
            steps &= gates >= kth
        done = 0
        for t in [*np.flatnonzero(steps.any(0)).tolist(), T]:
            if t > done:
                g = gates[:, done:t, None]  # (B, L, 1)
                moves = (g * (_gru_step(facts_ih[:, done:t], h[:, None], cell)
                              - h[:, None])).sum(1)
                h = h + moves / np.maximum(g.sum(1), 1.0)
            if t < T:
                g = gates[:, t, None]
                h = h + g * (_gru_step(facts_ih[:, t], h, cell) - h)
            done = t + 1
        return h

    def _update(self, episode, memory):
        if self.config.memory_update == "relu":
            features = np.concatenate([memory, episode, episode * memory,
                                       np.abs(episode - memory)], axis=-1)
            return np.maximum(features @ self.transposed["memory.memory_gru.linear.weight"]
                              + self.w["memory.memory_gru.linear.bias"], 0)
        cell = self.cells["memory.memory_gru"]
        return _gru_step(cell.project(episode), memory, cell)

    @_OVERFLOW_IS_A_CLOSED_GATE
    def run_until_halt(self, facts, fact_mask, question):
        """As EpisodicMemory.run_until_halt: the final memory (B, H), episodes used (B,),
        gate logits (P, B, T+1), episodes (B, P', H) and which each question used (B, P')."""
        w = self.w
        B, T, H = facts.shape
        fact_mask = np.asarray(fact_mask, bool)
        weight = fact_mask.astype(self.dtype)  # (B, T)
        c = np.empty((B, T + 1, H), self.dtype)  # the facts and end-of-passes, the candidates
        c[:, :T], c[:, T] = facts, w["memory.end_of_passes"]
        cW = c @ w["memory.bilinear"]  # (B, T+1, H)
        position = np.arange(T, dtype=self.dtype)
        time = np.zeros((B, T + 1, 1), self.dtype)  # a time feature; end-of-passes: 0
        question_at = weight.sum(1)  # the question's place, after the facts
        long = (question_at > INFERENCE_MAX_STEPS)[:, None]  # (B, 1)
        time[:, :T, 0] = _signed_log(position - question_at[:, None]) * weight
        q = question[:, None]
        static = (np.concatenate([c, c * q, np.abs(c - q), cW @ question[..., None], time], -1)
                  @ self.w_static + (question @ self.w_q + w["memory.gate_mlp.0.bias"])[:, None])
        facts_ih = self.cells["memory.episode_gru"].project(facts)  # (B, T, 3H)
        focus = question_at  # the first pass's
        memory = question
        passes = np.zeros(B, np.int64)
        running = np.ones(B, bool)
        all_logits, episodes, used = [], [], []
        while True:
            m = memory[:, None]
            time[:, :T, 0] = _signed_log(position - focus[:, None]) * weight
            hidden = static + (memory @ self.w_m)[:, None] + np.concatenate(
                [c * m, np.abs(c - m), cW @ memory[..., None], time], -1) @ self.w_moving
            logits = np.tanh(hidden) @ self.w_2 + w["memory.gate_mlp.2.bias"][0]  # (B, T+1)
            logits[:, :T][~fact_mask] = -np.inf
            if self.config.gate_competition:
                gates = _sigmoid(logits[:, :-1])
                gates = floored(gates)
                before = np.minimum(np.cumsum(gates, 1) - gates, COMPETITION_MASS_CAP)
                after = np.minimum(np.cumsum(gates[:, ::-1], 1)[:, ::-1] - gates,
                                   COMPETITION_MASS_CAP)
                weights = (np.concatenate([memory, question], -1)
                           @ self.transposed["memory.competition.weight"]
                           + w["memory.competition.bias"])
                logits[:, :-1] -= weights[:, :1] * after + weights[:, 1:] * before
            # The next pass's focus: the expected fact position under a softmax of the gates.
            scores = np.where(fact_mask, logits[:, :-1], -1e9)
            e = np.exp(scores - scores.max(-1, keepdims=True))
            focus = (e @ position) / e.sum(-1)
            all_logits.append(logits)
            running = running & (logits.argmax(-1) != T)
            if not running.any():
                break
            gates = _sigmoid(logits[:, :T])
            if long.any():  # as EpisodicMemory.long_memory_gates
                gates = np.where(long, floored(gates), gates)
            episode = self._episode(facts_ih, gates)
            episodes.append(episode)
            used.append(running)
            memory = np.where(running[:, None], self._update(episode, memory), memory)
            passes += running
            if len(all_logits) == self.config.max_passes:
                break
        stacked = (np.stack(episodes, 1) if episodes else np.zeros((B, 0, H), self.dtype))
        used_mask = np.stack(used, 1) if used else np.zeros((B, 0), bool)
        return memory, passes, np.stack(all_logits), stacked, used_mask

    # ---- answer --------------------------------------------------------------------------

    @_OVERFLOW_IS_A_CLOSED_GATE
    def generate(self, memory, question, banned=None, episodes=None, used=None):
        """Greedy answer tokens (B, A) and each row's answer probability (B,)."""
        w, cell = self.w, self.cells["answer_module.gru"]
        B, E, H = memory.shape[0], w["embed.weight"].shape[1], self.config.hidden_dim
        # The decoder's input is [word, q, the episodes it reads]: the word's and q's parts of
        # the projection apart, since q's is the same at every step.
        w_word, w_question, w_read = cell.w_ih[:E], cell.w_ih[E:E + H], cell.w_ih[E + H:]
        fixed = question @ w_question + cell.b_x  # (B, 3H)
        reads = self.config.answer_reads_episodes and episodes.shape[1] > 0
        if reads:
            keys, scale = episodes, 1.0
            P = episodes.shape[1]
            if self.config.answer_pass_keys:
                places = w["answer_module.pass_key"][:P]
                keys = episodes + np.concatenate(
                    [places, np.zeros((P - len(places), H), self.dtype)])[None]
                scale = np.sqrt(self.dtype.type(H))
            keys = keys / scale  # (B, P, H)
            unused = ~np.asarray(used, bool)
            reads_any = (~unused).any(1, keepdims=True)  # a row that used no pass reads 0
        rows = np.arange(B)
        token = np.full(B, ANSWER_START_ID)
        done = np.zeros(B, bool)
        log_p = np.zeros(B, self.dtype)
        state, tokens = memory, []
        for _ in range(self.config.max_answer_tokens):
            proj = w["embed.weight"][token] @ w_word + fixed
            if reads:  # attention over the episodes, keyed by the decoder's state
                query = state @ self.transposed["answer_module.episode_key.weight"]
                scores = (keys @ query[..., None])[..., 0]  # (B, P)
                scores[unused] = -1e30  # finite, so that a row of none reads no nan
                e = np.exp(scores - scores.max(-1, keepdims=True))
                attention = e * (reads_any / e.sum(-1, keepdims=True))
                proj = proj + (attention[:, None] @ episodes)[:, 0] @ w_read
            state = _gru_step(proj, state, cell)
            logits = state @ self.transposed["answer_module.out.weight"] + w["answer_module.out.bias"]
            if banned is not None:
                logits = np.where(banned, -np.inf, logits)
            token = np.where(done, PAD_ID, logits.argmax(-1))
            top = logits.max(-1)
            chosen = (logits[rows, token] - top
                      - np.log(np.exp(logits - top[:, None]).sum(-1)))  # log softmax at token
            log_p = log_p + np.where(done, 0.0, chosen)
            tokens.append(token)
            done = done | (token == ANSWER_END_ID)
            if done.all():
                break
        return np.stack(tokens, 1), np.exp(log_p)

    def answer_facts(self, facts, fact_mask, q, banned=None) -> Prediction:
        """As DMN.answer_facts."""
        memory, passes, logits, episodes, used = self.run_until_halt(facts, fact_mask, q)
        tokens, confidence = self.generate(memory, q, banned, episodes, used)
        pass_logits = logits.transpose(1, 0, 2)
        return Prediction(tokens, passes, _sigmoid(pass_logits), pass_logits.argmax(-1), confidence)
