"""The answer path on numpy (askme.dmn.arrays): the same answers, passes and gates as the
torch model, and an answer that never imports torch."""

import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from askme.babi import load_tasks
from askme.dmn.arrays import load_state
from askme.errors import AskmeError
from askme.memory.answering import answer_examples, load_model
from askme.paths import shipped_models

ROOT = Path(__file__).resolve().parent.parent
BABI_EN = ROOT.parent / "shared" / "babi" / "en"
PROBES = [ROOT / "probes" / "everyday", ROOT / "probes" / "one-sentence",
          ROOT / "probes" / "one-sentence" / "split", ROOT / "probes" / "one-sentence" / "generated"]


@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_the_weights_read_without_torch_are_torchs_own(name):
    folder = shipped_models()[name]
    ours = load_state(folder / "weights.pt")
    theirs = torch.load(folder / "weights.pt", weights_only=True)
    assert list(ours) == list(theirs)
    assert all(np.array_equal(ours[k], theirs[k].numpy()) for k in theirs)


def test_a_weights_file_holding_anything_but_tensors_is_refused(tmp_path):
    class Sneaky:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "weights.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weights/data.pkl", pickle.dumps({"embed.weight": Sneaky()}))
    with pytest.raises(AskmeError, match=r"cannot read the weights \(posix.system is not part "
                                         r"of a state dict\)"):
        load_state(path)


def _same(torch_answers, array_answers):
    assert [a.text for a in array_answers] == [a.text for a in torch_answers]
    assert [a.passes for a in array_answers] == [a.passes for a in torch_answers]
    assert [a.choices for a in array_answers] == [a.choices for a in torch_answers]
    # Gates: float32 in both, summed in other orders by other BLAS kernels; each side is
    # about 1e-5 from the exact value at worst (numpy in float64 is 1.5e-5 from torch).
    worst = max(float(np.abs(np.array(x.gates) - np.array(y.gates)).max())
                for x, y in zip(torch_answers, array_answers))
    assert worst < 2e-5
    # The confidence is a product of several softmax probabilities: its rounding adds up.
    assert max(abs(x.confidence - y.confidence) for x, y in zip(torch_answers, array_answers)) < 1e-4


@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_numpy_answers_the_probes_as_torch_does(name):
    on_torch, on_numpy = load_model(name), load_model(name, arrays=True)
    for folder in PROBES:
        tasks = sorted({int(p.name[2:].split("_")[0]) for p in folder.glob("qa*_test.txt")})
        examples = [e for task in load_tasks(folder, tasks, "test").values() for e in task]
        _same(answer_examples(on_torch, examples), answer_examples(on_numpy, examples))


@pytest.mark.skipif(not BABI_EN.is_dir(), reason="needs the bAbI copy beside the checkout")
@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_numpy_answers_the_whole_babi_test_as_torch_does(name):
    on_torch, on_numpy = load_model(name), load_model(name, arrays=True)
    examples = [e for task in load_tasks(BABI_EN, list(range(1, 21)), "test").values()
                for e in task]
    _same(answer_examples(on_torch, examples), answer_examples(on_numpy, examples))


def test_ask_and_chat_answer_without_importing_torch(tmp_path):
    code = ("import sys\nfrom askme.cli import main\n"
            "main(['load', '-'])\nmain(['ask', 'Where is Mary?'])\n"
            "print('torch imported' if 'torch' in sys.modules else 'no torch')\n")
    result = subprocess.run([sys.executable, "-c", code], input="Mary went to the kitchen.\n",
                            capture_output=True, text=True,
                            env={**os.environ, "ASKME_HOME": str(tmp_path)})
    assert result.stdout.splitlines()[-2:] == ["kitchen", "no torch"], result.stderr
    chat = ("import sys\nfrom askme.cli import main\nmain(['chat', '--memory', 'c'])\n"
            "print('torch imported' if 'torch' in sys.modules else 'no torch')\n")
    result = subprocess.run([sys.executable, "-c", chat], capture_output=True, text=True,
                            input="John went to the garden.\nWhere is John?\n",
                            env={**os.environ, "ASKME_HOME": str(tmp_path)})
    assert "garden" in result.stdout and result.stdout.splitlines()[-1] == "no torch"
