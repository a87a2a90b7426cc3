"""gru_scan's hand-written backward pass against autograd, and the compiled scan against both."""

import subprocess
import sys

import pytest
import torch

from askme.dmn import gru as gru_module
from askme.dmn.gru import gru_layer, gru_scan, native


def reference(gi, h, w_hh, b_hh, gates=None):
    """The gated GRU written step by step (Kumar et al. 2016, eq. 4), left to autograd."""
    states = []
    for t in range(gi.size(0)):
        i_r, i_z, i_n = gi[t].chunk(3, -1)
        h_r, h_z, h_n = torch.nn.functional.linear(h, w_hh, b_hh).chunk(3, -1)
        r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
        new = (1 - z) * torch.tanh(i_n + r * h_n) + z * h
        g = 1.0 if gates is None else gates[t].unsqueeze(1)
        h = g * new + (1 - g) * h
        states.append(h)
    return torch.stack(states)


def inputs(T=6, B=3, H=4):
    torch.manual_seed(0)
    make = lambda *shape: torch.randn(*shape, dtype=torch.double, requires_grad=True)
    return (make(T, B, 3 * H), make(B, H), make(3 * H, H), make(3 * H),
            torch.rand(T, B, dtype=torch.double, requires_grad=True))


def test_plain_gru_scan_equals_torch_gru():
    gru = torch.nn.GRU(5, 4).double()
    x, h0 = torch.randn(7, 2, 5, dtype=torch.double), torch.randn(2, 4, dtype=torch.double)
    expected, _ = gru(x, h0.unsqueeze(0))
    gi = torch.nn.functional.linear(x, gru.weight_ih_l0, gru.bias_ih_l0)
    assert torch.allclose(gru_scan(gi, h0, gru.weight_hh_l0, gru.bias_hh_l0), expected)


def test_gradients_equal_autograd_with_and_without_gates():
    gi, h0, w, b, gates = inputs()
    for g in (gates, None):
        ours = gru_scan(gi, h0, w, b, g)
        theirs = reference(gi, h0, w, b, g)
        assert torch.allclose(ours, theirs)
        weights = torch.randn_like(ours)
        wrt = [gi, h0, w, b] + ([g] if g is not None else [])
        for a, e in zip(torch.autograd.grad((ours * weights).sum(), wrt),
                        torch.autograd.grad((theirs * weights).sum(), wrt)):
            assert torch.allclose(a, e)
    assert torch.autograd.gradcheck(gru_scan, (gi, h0, w, b, gates))


def test_a_closed_gate_keeps_the_state():
    gi, h0, w, b, gates = inputs()
    gates = gates.detach().clone()
    gates[2] = 0
    states = gru_scan(gi, h0, w, b, gates)
    assert torch.equal(states[2], states[1])


def float_inputs(T=9, B=5, H=16):
    return [t.detach().float().requires_grad_() for t in inputs(T, B, H)]


def test_the_compiled_scan_is_built_where_a_compiler_is():
    if gru_module.missing_build_tools():
        pytest.skip("no C++ compiler or ninja: askme trains with the Python scan")
    assert native() is not None


@pytest.mark.skipif(native() is None, reason="no compiled scan on this machine")
def test_a_build_killed_midway_does_not_hang_the_next_run():
    (gru_module.build_folder() / "lock").touch()  # what torch leaves when a build is killed
    loads = subprocess.run([sys.executable, "-c", "from askme.dmn.gru import native; "
                            "print(native() is not None)"], capture_output=True, text=True,
                           timeout=120)  # torch alone waits on that file forever
    assert (loads.returncode, loads.stdout) == (0, "True\n")
    assert not (gru_module.build_folder() / "lock").exists()


@pytest.mark.skipif(native() is None, reason="no compiled scan on this machine")
def test_the_compiled_scan_equals_the_python_one_with_and_without_gates():
    gi, h0, w, b, gates = float_inputs()
    for g in (gates, None):
        wrt = [gi, h0, w, b] + ([g] if g is not None else [])
        compiled = gru_scan(gi, h0, w, b, g)
        python = gru_module._GRUScan.apply(gi, h0, w, b, gi.new_empty(0) if g is None else g)
        assert compiled.grad_fn.name().startswith("_NativeScan")
        # Built with -march=native -ffast-math, the scan's float32 sums and exp differ by
        # CPU: within 1e-6 on an AMD EPYC, up to 4.2e-6 on an Intel Xeon (2026-12-06).
        assert torch.allclose(compiled, python, atol=1e-5)
        weights = torch.randn_like(compiled)
        for a, e in zip(torch.autograd.grad((compiled * weights).sum(), wrt),
                        torch.autograd.grad((python * weights).sum(), wrt)):
            assert torch.allclose(a, e, rtol=1e-4, atol=1e-5), (a - e).abs().max()


@pytest.mark.skipif(native() is None, reason="no compiled scan on this machine")
def test_a_training_gru_layer_equals_torch_gru_and_its_gradients():
    torch.manual_seed(0)
    layer = torch.nn.GRU(6, 8, batch_first=True)
    x = torch.randn(3, 11, 6, requires_grad=True)
    h0 = torch.randn(1, 3, 8)
    ours, last = gru_layer(layer, x, h0)
    assert ours.grad_fn is not None and "Native" in str(ours.grad_fn.next_functions)
    theirs, their_last = layer(x, h0)
    assert torch.allclose(ours, theirs, atol=1e-6) and torch.allclose(last, their_last, atol=1e-6)
    wrt = [x, *layer.parameters()]
    for a, e in zip(torch.autograd.grad(ours.pow(2).sum(), wrt),
                    torch.autograd.grad(theirs.pow(2).sum(), wrt)):
        assert torch.allclose(a, e, rtol=1e-4, atol=1e-5)
    with torch.inference_mode():  # answering runs the scan too
        answered, answered_last = gru_layer(layer, x, h0)
        assert not torch.equal(answered, layer(x, h0)[0])  # not torch's own GRU ...
        assert torch.allclose(answered, theirs, atol=1e-6)  # ... the same states
        assert torch.allclose(answered_last, their_last, atol=1e-6)


def test_askme_native_0_turns_the_compiled_scan_off(monkeypatch):
    monkeypatch.setattr(gru_module, "_native", None)
    monkeypatch.setenv("ASKME_NATIVE", "0")
    assert native() is None
    gi, h0, w, b, _ = float_inputs()
    assert gru_scan(gi, h0, w, b).grad_fn.name().startswith("_GRUScan")


def test_without_a_compiler_training_falls_back_with_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(gru_module, "_native", None)
    monkeypatch.setenv("CXX", "/nonexistent/c++")
    assert native() is None and native() is None  # tried once
    assert [r.getMessage() for r in caplog.records] == [
        "askme: no /nonexistent/c++ found, so training uses the Python GRU (slower)"]
    gi, h0, w, b, _ = float_inputs()
    assert gru_scan(gi, h0, w, b).grad_fn.name().startswith("_GRUScan")


@pytest.mark.skipif(native() is None, reason="no compiled scan on this machine")
def test_the_compiled_scan_stays_finite_and_right_on_large_inputs():
    # Pre-activations of 30 and more occur late in training; exp overflowed there once.
    for scale in (30.0, 1e3, 1e5):
        gi, h0, w, b, gates = (t.detach() * s for t, s in zip(float_inputs(), (scale, 1, scale, 1, 1)))
        wrt = [t.requires_grad_() for t in (gi, w, b, gates)]
        compiled = gru_scan(gi, h0, w, b, gates)
        python = gru_module._GRUScan.apply(gi, h0, w, b, gates)
        # Saturated gates magnify the vector exp's rounding: 1.6e-4 at scale 30 on an Intel
        # Xeon (2026-12-06), within 1e-6 on an AMD EPYC; an overflow would be far off.
        assert torch.isfinite(compiled).all() and torch.allclose(compiled, python, atol=5e-4)
        for a, e in zip(torch.autograd.grad(compiled.sum(), wrt),
                        torch.autograd.grad(python.sum(), wrt)):
            # Near saturation -ffast-math's vector exp moves gradients by up to 9 % of their
            # largest on an Intel Xeon (scale 1e5; 2026-12-06), 1e-4 on an AMD EPYC: this
            # checks they stay finite and of the right size, which the overflow broke. An
            # exact build costs 12-20 % of training speed (docs/speed.md).
            assert torch.isfinite(a).all() and torch.allclose(
                a, e, rtol=1e-4, atol=max(1e-4, 0.2 * e.abs().max().item()))
