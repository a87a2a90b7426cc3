"""GRUs in training as one autograd node with a hand-written backward pass.

Written step by step in Python, the gated GRU records a dozen small autograd nodes per fact
and pass. `gru_scan` runs the same recurrence but stores only what its backward pass needs
and computes the weight gradients of all steps with one matrix product each: on bAbI 10k
task 2 (18 facts a story) a training step is about 10 % faster.

Where a C++ compiler is present, `gru_scan` runs `csrc/gru_scan.cpp` instead, built once per
machine (about 30 s) and cached by torch.utils.cpp_extension: each time step is one matrix
product and one vectorised loop, about 4x faster than torch's own GRU on the CPU, so in
training the input and question GRUs use it too. ASKME_NATIVE=0 turns it off (the Python
scan and nn.GRU then run, as in every model trained before it).

Equations (PyTorch's GRU, gate order r, z, n), with gi = W_ih x + b_ih precomputed:
    r = σ(gi_r + W_hr h + b_hr),  z = σ(gi_z + W_hz h + b_hz)
    n = tanh(gi_n + r ∘ (W_hn h + b_hn))
    h' = h + a ∘ (n − h),  a = g (1 − z)
where g is 1 for a plain GRU, and the attention gate g_t (B,) for the episodic memory's
gated GRU (Kumar et al. 2016, eq. 4: h_t = g_t GRU(c_t, h_{t−1}) + (1 − g_t) h_{t−1}).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from pathlib import Path

import torch

_NATIVE_SOURCE = Path(__file__).parent / "csrc" / "gru_scan.cpp"
_native = None  # the compiled module, False once it has failed, None before the first try


def native():
    """The compiled scan, or None where it is turned off or cannot be built."""
    global _native
    if _native is None:
        _native = False
        if os.environ.get("ASKME_NATIVE", "1") != "0":
            _native = _build() or False
    return _native or None


def missing_build_tools() -> list[str]:
    """What torch.utils.cpp_extension runs to build the scan and this machine lacks."""
    return [tool for tool in (os.environ.get("CXX", "c++"), "ninja") if shutil.which(tool) is None]


def _build():
    log = logging.getLogger("askme")
    missing = missing_build_tools()
    if missing:
        log.warning("askme: no %s found, so training uses the Python GRU (slower)", missing[0])
        return None
    from torch.utils.cpp_extension import load

    folder = build_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "askme_gru_scan.so").exists():  # say why the first run waits
            log.warning("askme: building the compiled GRU for this machine, once (about 30 s; "
                        "ASKME_NATIVE=0 skips it)")
        with _only_builder(folder):
            return load(name="askme_gru_scan", sources=[str(_NATIVE_SOURCE)],
                        build_directory=str(folder),
                        extra_cflags=["-O3", "-march=native", "-ffast-math", "-fopenmp-simd"])
    except Exception as error:  # headers missing, a read-only cache, an odd compiler...
        log.debug("building %s failed: %s", _NATIVE_SOURCE, error)
        log.warning("askme: the compiled GRU did not build, so training uses the Python GRU "
                    "(slower); ASKME_NATIVE=0 skips the attempt")
        return None


def build_folder() -> Path:
    """Where the scan is built and cached: torch's extension folder, one per Python."""
    from torch.utils.cpp_extension import get_default_build_root

    root = Path(os.environ.get("TORCH_EXTENSIONS_DIR") or get_default_build_root())
    return root / f"askme_gru_scan_py{sys.version_info.major}{sys.version_info.minor}"


@contextlib.contextmanager
def _only_builder(folder: Path):
    """Hold an OS lock on `folder` while torch builds or loads the scan there, and clear the
    lock file torch itself leaves when a build is killed (Ctrl-C in the first run): torch
    waits on that file forever, so every later run would hang. The OS drops our lock when
    its holder dies, so whoever holds it knows that no other askme is building."""
    try:
        import fcntl
    except ImportError:  # not POSIX: torch's own lock file only
        yield
        return
    with open(folder / "askme.flock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        (folder / "lock").unlink(missing_ok=True)
        yield


def native_applies(x: torch.Tensor) -> bool:
    """Whether the compiled scan can run on tensors like `x` (float32 on the CPU)."""
    return x.device.type == "cpu" and x.dtype == torch.float32 and native() is not None


def dropout_mask(x: torch.Tensor, p: float) -> torch.Tensor:
    """An inverted-dropout mask like `x` (0 with probability p, else 1/(1-p)) from the
    compiled hash; its seed is drawn from torch's generator, so torch.manual_seed decides it."""
    seed = int(torch.randint(2**62, ()))
    return native().dropout_mask(x, p, seed)


class _NativeScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gi, h0, w_hh, b_hh, gates):
        states, saved = native().forward(gi, h0, w_hh.contiguous(), b_hh.contiguous(), gates)
        ctx.save_for_backward(w_hh, gates, states, saved)
        return states[1:]

    @staticmethod
    def backward(ctx, grad_states):
        w_hh, gates, states, saved = ctx.saved_tensors
        d_pre, dh, d_w, d_b, d_gates = native().backward(
            grad_states.contiguous(), w_hh.contiguous(), gates, states, saved)
        return d_pre, dh, d_w, d_b, (d_gates if gates.numel() else None)


class _GRUScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gi, h0, w_hh, b_hh, gates):
        # gi (T, B, 3H), h0 (B, H), w_hh (3H, H), b_hh (3H,), gates (T, B) or (0,)
        T, B, H3 = gi.shape
        H = H3 // 3
        gated = gates.numel() > 0
        states = gi.new_empty(T + 1, B, H)  # states[0] = h0
        rz_all = gi.new_empty(T, B, 2 * H)
        n_all = gi.new_empty(T, B, H)
        ghn_all = gi.new_empty(T, B, H)
        states[0] = h0
        h = h0
        w_t = w_hh.t()
        for t in range(T):
            gh = torch.addmm(b_hh, h, w_t)  # (B, 3H)
            rz = torch.sigmoid(gi[t, :, :2 * H] + gh[:, :2 * H])
            r, z = rz[:, :H], rz[:, H:]
            ghn = gh[:, 2 * H:]
            n = torch.tanh(torch.addcmul(gi[t, :, 2 * H:], r, ghn))
            a = 1 - z
            if gated:
                a = a * gates[t].unsqueeze(1)
            h = torch.addcmul(h, a, n - h)
            states[t + 1] = h
            rz_all[t], n_all[t], ghn_all[t] = rz, n, ghn
        ctx.save_for_backward(w_hh, gates, states, rz_all, n_all, ghn_all)
        return states[1:]

    @staticmethod
    def backward(ctx, grad_states):
        w_hh, gates, states, rz_all, n_all, ghn_all = ctx.saved_tensors
        T, B, H = n_all.shape
        gated = gates.numel() > 0
        d_pre = grad_states.new_empty(T, B, 3 * H)  # gradient of [gi_r, gi_z, gi_n] per step
        d_gh = grad_states.new_empty(T, B, 3 * H)  # gradient of W_hh h + b_hh per step
        d_gates = grad_states.new_empty(T, B) if gated else None
        dh = torch.zeros_like(states[0])
        for t in range(T - 1, -1, -1):
            dh = dh + grad_states[t]
            h_prev, n, ghn = states[t], n_all[t], ghn_all[t]
            r, z = rz_all[t, :, :H], rz_all[t, :, H:]
            a = 1 - z
            if gated:
                g = gates[t].unsqueeze(1)
                a = a * g
            diff = n - h_prev
            da = dh * diff
            dn_pre = dh * a * (1 - n * n)
            if gated:
                d_gates[t] = (da * (1 - z)).sum(1)
                dz = -da * g
            else:
                dz = -da
            dr_pre = dn_pre * ghn * r * (1 - r)
            dz_pre = dz * z * (1 - z)
            d_pre[t, :, :H] = dr_pre
            d_pre[t, :, H:2 * H] = dz_pre
            d_pre[t, :, 2 * H:] = dn_pre
            d_gh[t, :, :2 * H] = d_pre[t, :, :2 * H]
            d_gh[t, :, 2 * H:] = dn_pre * r
            dh = dh * (1 - a) + d_gh[t] @ w_hh
        flat_gh = d_gh.reshape(T * B, 3 * H)
        d_w_hh = flat_gh.t() @ states[:-1].reshape(T * B, H)
        d_b_hh = flat_gh.sum(0)
        return d_pre, dh, d_w_hh, d_b_hh, d_gates


def gru_scan(gi, h0, w_hh, b_hh, gates=None):
    """All states (T, B, H) of a GRU run over precomputed input projections gi (T, B, 3H)
    from h0 (B, H); with `gates` (T, B), the gated GRU of the episodic memory."""
    empty = gi.new_empty(0)
    scan = _NativeScan if native_applies(gi) else _GRUScan
    return scan.apply(gi.contiguous(), h0.contiguous(), w_hh, b_hh,
                      empty if gates is None else gates.contiguous())


def gru_cell(cell: torch.nn.Module, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """`cell(x, h)`; for an nn.GRUCell in training on the CPU, one step of the compiled scan
    (two autograd nodes instead of the dozen of torch's own cell)."""
    if not (isinstance(cell, torch.nn.GRUCell) and torch.is_grad_enabled() and native_applies(x)):
        return cell(x, h)
    gi = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih).unsqueeze(0)  # (1, B, 3H)
    return gru_scan(gi, h, cell.weight_hh, cell.bias_hh)[0]


def gru_layer(gru: torch.nn.GRU, x: torch.Tensor, h0: torch.Tensor | None = None):
    """`gru(x, h0)` for a one-layer, batch-first nn.GRU: all states (B, L, H) and the last
    (1, B, H). On the CPU it runs the compiled scan (same weights, same equations), in
    training and in answering (the task-1 test's forward 80 to 70 ms); elsewhere torch's
    own GRU."""
    if not native_applies(x):
        return gru(x, h0)
    B, H = x.size(0), gru.hidden_size
    # Time-major before the projection: transposing x (B, L, E) copies a third of what
    # transposing its projection (B, L, 3H) would.
    gi = torch.nn.functional.linear(x.transpose(0, 1), gru.weight_ih_l0, gru.bias_ih_l0)  # (L, B, 3H)
    start = x.new_zeros(B, H) if h0 is None else h0[0]
    states = gru_scan(gi, start, gru.weight_hh_l0, gru.bias_hh_l0).transpose(0, 1)  # (B, L, H)
    return states, states[:, -1:].transpose(0, 1)
