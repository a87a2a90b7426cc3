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

from askme.dmn.config import (COMPETITION_MASS_CAP, COMPETITION_MASS_FLOOR, INFERENCE_MAX_STEPS,
                              INFERENCE_SKIP_GATE, TIME_DISTANCE_CAP, DMNConfig)
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


def _gru_step(x_proj, h, w_hh, b_hh):
    """One GRU step from the input projection (..., 3H), in PyTorch's gate order."""
    H = h.shape[-1]
    gh = h @ w_hh.T + b_hh
    reset_update = _sigmoid(x_proj[..., :2 * H] + gh[..., :2 * H])
    new = np.tanh(x_proj[..., 2 * H:] + reset_update[..., :H] * gh[..., 2 * H:])
    return new + reset_update[..., H:] * (h - new)  # (1 - z) n + z h


def _softmax(x, axis=-1):
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(x - top)
    return e / np.sum(e, axis=axis, keepdims=True)


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
        H = config.hidden_dim
        W1 = self.w["memory.gate_mlp.0.weight"]
        # The gate MLP's first layer split by the blocks of z (see EpisodicMemory._first_layer)
        self.blocks = [W1[:, k * H:(k + 1) * H] for k in range(7)]
        self.w_bq, self.w_bm, self.w_t = W1[:, 7 * H], W1[:, 7 * H + 1], W1[:, 7 * H + 2:]

    @property
    def arrays(self) -> "ArrayDMN":
        """The answer path of numpy arrays (as DMN.arrays): this one."""
        return self

    def eval(self) -> "ArrayDMN":  # as nn.Module.eval: there is no training mode here
        return self

    def parameter_count(self) -> int:
        return sum(value.size for value in self.w.values())

    def _gru_sequence(self, prefix: str, x, h0=None):
        """All states (B, L, H) of the one-layer GRU `prefix` over x (B, L, E)."""
        w = self.w
        proj = x @ w[f"{prefix}.weight_ih_l0"].T + w[f"{prefix}.bias_ih_l0"]  # (B, L, 3H)
        B, L = x.shape[:2]
        h = np.zeros((B, self.config.hidden_dim), self.dtype) if h0 is None else h0
        states = np.empty((B, L, self.config.hidden_dim), self.dtype)
        w_hh, b_hh = w[f"{prefix}.weight_hh_l0"], w[f"{prefix}.bias_hh_l0"]
        for t in range(L):
            h = _gru_step(proj[:, t], h, w_hh, b_hh)
            states[:, t] = h
        return states

    def encode_story(self, story, fact_positions, h0=None):
        """Facts (B, T, H) and the input GRU's last state (B, H) of token ids (B, L); `h0`
        (B, H) continues a story told before."""
        story = np.asarray(story)
        states = self._gru_sequence("input_module.gru", self.w["embed.weight"][story], h0)
        positions = np.asarray(fact_positions)
        facts = np.take_along_axis(states, positions[:, :, None], axis=1)
        return facts, states[:, -1]

    def encode_question(self, question, lengths):
        """q (B, H) of question token ids (B, Q), each row read to its length."""
        states = self._gru_sequence("question_module.gru", self.w["embed.weight"][np.asarray(question)])
        last = np.maximum(np.asarray(lengths) - 1, 0)
        return states[np.arange(len(last)), last]

    # ---- episodic memory -----------------------------------------------------------------

    def _time_features(self, fact_mask, focus):
        T = fact_mask.shape[1]
        position = np.arange(T, dtype=self.dtype)
        question_at = fact_mask.sum(1, keepdims=True).astype(self.dtype)

        def signed_log(d):
            return np.sign(d) * np.log1p(np.minimum(np.abs(d), TIME_DISTANCE_CAP))

        features = np.stack([signed_log(position - question_at),
                             signed_log(position - focus[:, None])], axis=-1)
        features = features * fact_mask[..., None]
        return np.concatenate([features, np.zeros((len(focus), 1, 2), self.dtype)], axis=1)

    def _episode(self, facts_ih, gates):
        """The gated GRU over the facts, skipping facts whose gate is nearly closed as
        EpisodicMemory.episode does at inference."""
        w = self.w
        w_hh, b_hh = w["memory.episode_gru.weight_hh"], w["memory.episode_gru.bias_hh"]
        B, T = gates.shape
        h = np.zeros((B, self.config.hidden_dim), self.dtype)
        steps = gates > INFERENCE_SKIP_GATE
        if T > INFERENCE_MAX_STEPS:
            kth = -np.sort(-gates, axis=1)[:, INFERENCE_MAX_STEPS - 1:INFERENCE_MAX_STEPS]
            steps &= gates >= kth
        done = 0
        for t in list(np.flatnonzero(steps.any(0))) + [T]:
            if t > done:
                g = gates[:, done:t, None]  # (B, L, 1)
                moves = (g * (_gru_step(facts_ih[:, done:t], h[:, None], w_hh, b_hh)
                              - h[:, None])).sum(1)
                h = h + moves / np.maximum(g.sum(1), 1.0)
            if t < T:
                g = gates[:, t, None]
                h = g * _gru_step(facts_ih[:, t], h, w_hh, b_hh) + (1 - g) * h
            done = t + 1
        return h

    def _update(self, episode, memory):
        w = self.w
        if self.config.memory_update == "relu":
            features = np.concatenate([memory, episode, episode * memory,
                                       np.abs(episode - memory)], axis=-1)
            return np.maximum(features @ w["memory.memory_gru.linear.weight"].T
                              + w["memory.memory_gru.linear.bias"], 0)
        proj = episode @ w["memory.memory_gru.weight_ih"].T + w["memory.memory_gru.bias_ih"]
        return _gru_step(proj, memory, w["memory.memory_gru.weight_hh"],
                         w["memory.memory_gru.bias_hh"])

    def run_until_halt(self, facts, fact_mask, question):
        """As EpisodicMemory.run_until_halt: the final memory (B, H), episodes used (B,),
        gate logits (P, B, T+1), episodes (B, P', H) and which each question used (B, P')."""
        w = self.w
        B, T, H = facts.shape
        fact_mask = np.asarray(fact_mask, bool)
        c = np.concatenate([facts, np.broadcast_to(w["memory.end_of_passes"], (B, 1, H))], axis=1)
        candidate_mask = np.concatenate([fact_mask, np.ones((B, 1), bool)], axis=1)
        w_c, w_m, w_q, w_cq, w_cm, w_acq, w_acm = self.blocks
        q = question[:, None]
        cW = c @ w["memory.bilinear"]
        static = (c @ w_c.T + w["memory.gate_mlp.0.bias"] + q @ w_q.T + (c * q) @ w_cq.T
                  + np.abs(c - q) @ w_acq.T + (cW * q).sum(-1, keepdims=True) * self.w_bq)
        facts_ih = facts @ w["memory.episode_gru.weight_ih"].T + w["memory.episode_gru.bias_ih"]
        focus = fact_mask.sum(1).astype(self.dtype)
        position = np.arange(T, dtype=self.dtype)
        memory = question
        passes = np.zeros(B, np.int64)
        running = np.ones(B, bool)
        all_logits, episodes, used = [], [], []
        while True:
            m = memory[:, None]
            hidden = (static + m @ w_m.T + (c * m) @ w_cm.T + np.abs(c - m) @ w_acm.T
                      + (cW * m).sum(-1, keepdims=True) * self.w_bm
                      + self._time_features(fact_mask, focus) @ self.w_t.T)
            logits = (np.tanh(hidden) @ w["memory.gate_mlp.2.weight"].T)[..., 0] \
                + w["memory.gate_mlp.2.bias"][0]
            logits = np.where(candidate_mask, logits, -np.inf).astype(self.dtype)
            if self.config.gate_competition:
                gates = _sigmoid(logits[:, :-1])
                gates = gates * (gates >= COMPETITION_MASS_FLOOR)
                before = np.minimum(np.cumsum(gates, 1) - gates, COMPETITION_MASS_CAP)
                after = np.minimum(np.cumsum(gates[:, ::-1], 1)[:, ::-1] - gates,
                                   COMPETITION_MASS_CAP)
                weights = (np.concatenate([memory, question], -1) @ w["memory.competition.weight"].T
                           + w["memory.competition.bias"])
                scored = logits[:, :-1] - weights[:, :1] * after - weights[:, 1:] * before
                logits = np.concatenate([scored, logits[:, -1:]], axis=1)
            soft = _softmax(np.where(fact_mask, logits[:, :-1], -1e9))
            focus = (soft * position).sum(-1).astype(self.dtype)
            all_logits.append(logits)
            running = running & (logits.argmax(-1) != T)
            if not running.any():
                break
            episode = self._episode(facts_ih, _sigmoid(logits[:, :T]))
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

    def _step_input(self, word, question, state, episodes, used):
        parts = [word, question]
        if self.config.answer_reads_episodes:
            keys, scale = episodes, 1.0
            P = episodes.shape[1]
            if self.config.answer_pass_keys:
                places = self.w["answer_module.pass_key"][:P]
                keys = episodes + np.concatenate(
                    [places, np.zeros((P - len(places), places.shape[1]), self.dtype)])[None]
                scale = np.sqrt(self.dtype.type(episodes.shape[-1]))
            query = state @ self.w["answer_module.episode_key.weight"].T
            scores = np.einsum("bh,bph->bp", query, keys) / scale
            scores = np.where(used, scores, -np.inf)
            with np.errstate(invalid="ignore"):
                weights = np.nan_to_num(_softmax(scores), nan=0.0) if P else scores
            parts.append(np.einsum("bp,bph->bh", weights, episodes).astype(self.dtype))
        return np.concatenate(parts, axis=-1)

    def generate(self, memory, question, banned=None, episodes=None, used=None):
        """Greedy answer tokens (B, A) and each row's answer probability (B,)."""
        w = self.w
        B = memory.shape[0]
        token = np.full(B, ANSWER_START_ID)
        done = np.zeros(B, bool)
        log_p = np.zeros(B, self.dtype)
        state, tokens = memory, []
        for _ in range(self.config.max_answer_tokens):
            step = self._step_input(w["embed.weight"][token], question, state, episodes, used)
            proj = step @ w["answer_module.gru.weight_ih"].T + w["answer_module.gru.bias_ih"]
            state = _gru_step(proj, state, w["answer_module.gru.weight_hh"],
                              w["answer_module.gru.bias_hh"])
            logits = state @ w["answer_module.out.weight"].T + w["answer_module.out.bias"]
            if banned is not None:
                logits = np.where(banned, -np.inf, logits)
            token = np.where(done, PAD_ID, logits.argmax(-1))
            top = logits.max(-1, keepdims=True)
            log_softmax = logits - top - np.log(np.exp(logits - top).sum(-1, keepdims=True))
            chosen = np.take_along_axis(log_softmax, token[:, None], 1)[:, 0]
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
