"""Where askme finds its models and bAbI: `--model` as a name or a folder, and bAbI looked
for in the order the README gives."""

from pathlib import Path

import pytest

from askme import paths
from askme.errors import AskmeError


def test_model_names_a_shipped_model_or_a_folder(tmp_path, monkeypatch):
    shipped = paths.shipped_models()
    assert {"babi-1k", "everyday"} <= set(shipped) and paths.DEFAULT_MODEL == "everyday"
    for name, folder in shipped.items():
        assert folder.name == name
        assert {"config.json", "weights.pt", "tokenizer.model", "SHA256SUMS"} <= {
            p.name for p in folder.iterdir()}
    assert paths.model_folder(None) == (shipped["everyday"], True)
    assert paths.model_folder("babi-1k") == (shipped["babi-1k"], True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "babi-1k").mkdir()  # a folder of the user's own comes first
    assert paths.model_folder("babi-1k") == (Path("babi-1k"), False)
    with pytest.raises(AskmeError) as error:
        paths.model_folder("nosuch")
    assert str(error.value) == ("nosuch: no model folder here, nor a shipped model of that name "
                                "(shipped: babi-1k, everyday); train one with 'askme train'")


def test_a_shipped_model_by_name_is_the_default_model():
    from askme.memory.answering import load_model

    assert load_model("everyday").fingerprint == load_model(None).fingerprint
    assert load_model("babi-1k").fingerprint != load_model(None).fingerprint


def bAbI(folder: Path) -> Path:
    (folder / "en").mkdir(parents=True)
    return folder


@pytest.fixture
def no_checkout(tmp_path, monkeypatch):
    """Paths as in an installed wheel: no ../shared/babi beside a checkout."""
    monkeypatch.setattr(paths, "PROJECT_ROOT", tmp_path / "site-packages")
    monkeypatch.setenv("ASKME_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ASKME_BABI", raising=False)


def test_babi_is_looked_for_in_order(tmp_path, monkeypatch, no_checkout):
    with pytest.raises(AskmeError) as error:
        paths.default_babi_dir()
    assert str(error.value) == ("no bAbI tasks found: run 'askme data fetch' to download them, "
                                "or pass --data DIR")
    checkout = tmp_path / "checkout"
    (checkout / "pyproject.toml").parent.mkdir()
    (checkout / "pyproject.toml").write_text("")
    shared = bAbI(tmp_path / "shared" / "babi")
    monkeypatch.setattr(paths, "PROJECT_ROOT", checkout)
    assert paths.default_babi_dir() == shared / "en"
    fetched = bAbI(tmp_path / "home" / "babi")
    assert paths.default_babi_dir() == fetched / "en"
    chosen = bAbI(tmp_path / "chosen")
    monkeypatch.setenv("ASKME_BABI", str(chosen))
    assert paths.default_babi_dir() == chosen / "en"


def test_askme_babi_without_en_is_a_one_line_error(tmp_path, monkeypatch, no_checkout, capsys):
    from askme.cli import main

    monkeypatch.setenv("ASKME_BABI", str(tmp_path))
    assert main(["eval", "--tasks", "1"]) == 1
    assert capsys.readouterr().err == (
        f"askme: error: ASKME_BABI={tmp_path}: no en/ folder of bAbI task files there; point it "
        "at the folder holding en/, or run 'askme data fetch'\n")
