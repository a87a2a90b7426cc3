"""gru_scan's hand-written backward pass against autograd."""

import torch

from askme.gru import gru_scan


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
