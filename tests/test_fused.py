"""Training's fused forms (the gate MLP with a hand-written backward, GRU cells on the
compiled scan, dropout masks from a hash) against the autograd forms they stand in for."""

import pytest
import torch

from askme.dmn import model as model_module
from askme.dmn.config import DMNConfig
from askme.dmn.gru import gru_cell, native
from askme.dmn.model import Dropout, EpisodicMemory

needs_native = pytest.mark.skipif(native() is None, reason="no compiled scan on this machine")


def gate_logits_and_gradients(memory, facts, mask, question, state, fused: bool):
    model_module.native_applies = (lambda x: True) if fused else (lambda x: False)
    wrt = [*memory.parameters(), facts, question, state]
    prepared = memory.prepare(facts, mask, question)
    time = memory.time_features(mask, prepared.first_focus).to(facts.dtype)
    logits = memory.gate_logits(prepared, state, time)
    weights = torch.randn(logits.shape, generator=torch.Generator().manual_seed(1),
                          dtype=logits.dtype)
    grads = torch.autograd.grad((logits.masked_fill(logits.isinf(), 0) * weights).sum(), wrt,
                                allow_unused=True)
    made_by = logits.grad_fn.next_functions[0][0].name()  # under the padding's masked_fill
    return logits.detach(), grads, made_by


def test_the_fused_gate_gives_the_autograd_gate_and_its_gradients(monkeypatch):
    monkeypatch.setattr(model_module, "native_applies", model_module.native_applies)
    torch.manual_seed(0)
    memory = EpisodicMemory(DMNConfig(vocab_size=50, embed_dim=6, hidden_dim=5,
                                      gate_hidden_dim=7)).double()
    make = lambda *shape: torch.randn(*shape, dtype=torch.double, requires_grad=True)
    facts, question, state = make(3, 4, 5), make(3, 5), make(3, 5)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1, 3] = False  # a padded fact: never chosen, no gradient through it
    expected, expected_grads, reference = gate_logits_and_gradients(memory, facts, mask, question,
                                                                    state, False)
    logits, grads, fused = gate_logits_and_gradients(memory, facts, mask, question, state, True)
    assert (fused, reference) == ("GatePassBackward", "SqueezeBackward1")
    assert torch.equal(logits.isinf(), expected.isinf()) and logits[1, 3] == float("-inf")
    assert torch.allclose(logits, expected)
    used = [(g, e) for g, e in zip(grads, expected_grads) if e is not None]
    assert len(used) == 9  # bilinear W, end-of-passes, W1, b1, w2, b2, facts, question, memory
    assert all(g is not None and torch.allclose(g, e) for g, e in used)


@needs_native
def test_a_training_gru_cell_equals_torch_gru_cell_and_its_gradients():
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(6, 5)
    x, h = torch.randn(4, 6, requires_grad=True), torch.randn(4, 5, requires_grad=True)
    ours, theirs = gru_cell(cell, x, h), cell(x, h)
    assert ours.grad_fn.next_functions[0][0].name().startswith("_NativeScan")
    assert torch.allclose(ours, theirs, atol=1e-6)
    wrt = [x, h, *cell.parameters()]
    for a, e in zip(torch.autograd.grad((ours * torch.arange(5.0)).sum(), wrt),
                    torch.autograd.grad((theirs * torch.arange(5.0)).sum(), wrt)):
        assert torch.allclose(a, e, atol=1e-5)


@needs_native
def test_dropout_masks_drop_the_share_asked_and_follow_the_seed():
    dropout = Dropout(0.2)
    x = torch.ones(64, 50, 80)
    torch.manual_seed(5)
    first = dropout(x)
    assert set(first.unique().tolist()) == {0.0, 1.25}  # kept values scaled by 1 / (1 - p)
    assert 0.19 < (first == 0).float().mean() < 0.21
    torch.manual_seed(5)
    assert torch.equal(dropout(x), first)
    assert not torch.equal(dropout(x), first)  # the next draw is another mask
    x.requires_grad_()
    (dropout(x) * 2).sum().backward()
    assert set(x.grad.unique().tolist()) == {0.0, 2.5}
    dropout.eval()
    assert torch.equal(dropout(x), x)


def test_without_the_compiled_kernels_dropout_is_torchs(monkeypatch):
    monkeypatch.setattr(model_module, "native_applies", lambda x: False)
    x = torch.randn(8, 30)
    torch.manual_seed(2)
    ours = Dropout(0.3)(x)
    torch.manual_seed(2)
    assert torch.equal(ours, torch.nn.Dropout(0.3)(x))
