import os
import re
import subprocess
import sys

import pytest

from askme import __version__
from askme.cli import main


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "askme", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_help_and_version_do_not_import_torch():
    probe = ("import sys\nfrom askme.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('torch' in sys.modules, 'sentencepiece' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "usage: askme" in result.stdout
    assert "train" in result.stdout and "eval" in result.stdout
    assert result.stdout.strip().endswith("False False")
    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"askme {__version__}\n")


def test_a_reader_that_goes_away_gets_no_traceback(babi_dir):
    # `askme eval --json | head`: the pipe's reader closes before askme is done writing.
    read_end, write_end = os.pipe()
    os.close(read_end)
    result = subprocess.run([sys.executable, "-m", "askme", "eval", "--data", str(babi_dir),
                             "--tasks", "1", "--json"], stdout=write_end,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")


@pytest.mark.parametrize("asked, kept", [(None, "1"), ("4", "4")])
def test_numpys_blas_answers_on_one_thread_unless_the_user_says_otherwise(asked, kept, tmp_path):
    """Set before numpy loads (OpenBLAS reads it then), so a one-question answer does not
    wait on a second thread; a user's own setting stands."""
    probe = ("import os, sys\nfrom askme.cli import main\nmain(['load', '-'])\n"
             "main(['ask', 'Where is Mary?'])\n"
             "print(os.environ['OPENBLAS_NUM_THREADS'], 'numpy' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["ASKME_HOME"] = str(tmp_path)
    if asked is not None:
        env["OPENBLAS_NUM_THREADS"] = asked
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                            input="Mary went to the kitchen.\n")
    assert result.stdout.splitlines()[-2:] == ["kitchen", f"{kept} True"], result.stderr


@pytest.mark.parametrize("args, code, message", [
    (["eval", "--tasks", "0"], 2, "askme: error: bad task list '0': tasks are numbered 1 to 20\n"),
    (["eval", "--tasks", "x"], 2,
     "askme: error: bad task list 'x': use numbers and ranges such as 1-20 or 1,2,6\n"),
    (["train", "--epochs", "0", "--out", "x"], 2,
     "askme train: error: argument --epochs: '0' must be at least 1 (see 'askme train --help')\n"),
    (["train", "--out", "x", "--tasks", "0"], 2,
     "askme: error: bad task list '0': tasks are numbered 1 to 20\n"),
    (["train", "--out", "x", "--oversample", "17=4"], 2,
     "askme: error: unrecognized arguments: --oversample 17=4 (see 'askme --help')\n"),
    (["frobnicate"], 2, None),
])
def test_usage_errors_exit_2_with_one_line(args, code, message, capsys):
    try:
        result = main(args)
    except SystemExit as exit:
        result = exit.code
    err = capsys.readouterr().err
    assert result == code
    assert err.count("\n") == 1 and "Traceback" not in err
    if message:
        assert err == message


def test_missing_model_and_data_are_one_line_errors(babi_dir, tmp_path, capsys):
    assert main(["eval", "--data", str(babi_dir), "--tasks", "1", "--model",
                 str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err == (f"askme: error: {tmp_path / 'none'}: no model folder here, "
                                       "nor a shipped model of that name (shipped: babi-1k, everyday); "
                                       "train one with 'askme train'\n")
    assert main(["eval", "--data", str(tmp_path), "--tasks", "1", "--model", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"askme: error: {tmp_path}: no test file for task 1\n")


def test_train_then_eval_table_on_a_pipe(babi_dir, tmp_path):
    out = tmp_path / "model"
    trained = run("train", "--data", str(babi_dir), "--tasks", "1,19", "--out", str(out),
                  "--epochs", "2", "--hidden", "8", "--embed", "8", "--threads", "1")
    assert trained.returncode == 0, trained.stderr
    assert trained.stdout == ""  # progress and the summary go to stderr
    log = trained.stderr.splitlines()
    assert [line.split("  ")[0] for line in log[:2]] == ["epoch 1/2", "epoch 2/2"]  # per epoch
    assert log[2].startswith(f"saved {out}: validation accuracy ")
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "config.json", "tokenizer.model",
                                                     "weights.pt"]

    table = run("eval", "--data", str(babi_dir), "--tasks", "1,19", "--model", str(out),
                "--threads", "1")
    assert table.returncode == 0, table.stderr
    assert "\x1b[" not in table.stdout  # no escape codes on a pipe
    assert re.search(r"│ +1 │ single-supporting-fact +│ +4 │ +\d+\.\d% │ +\d+\.\d │ +(yes|no) +│"
                     r" +\d+\.\d% │ +\d\.\d\d │", table.stdout)
    assert re.search(r"│ +19 │ path-finding +│ +1 │", table.stdout)
    assert re.search(r"│ +│ mean +│ +5 │ +│ +\d+\.\d │ +[0-2]/2 +│", table.stdout)
    for column in ("task", "questions", "accuracy", "error %", "passed", "supporting", "passes"):
        assert column in table.stdout


def test_bench_rewrites_its_tables_and_keeps_the_hand_written_side_by_side_section():
    from askme.bench import keeping_side_by_side

    previous = ("# Benchmarks\n\n| what | median |\n| old | 1 |\n\n"
                "## Side by side\n\n| measure | peer | askme |\n| one question | 3 ms | 1 ms |\n")
    generated = "# Benchmarks\n\n| what | median |\n| new | 2 |\n"
    assert keeping_side_by_side(generated, previous) == generated + (
        "\n## Side by side\n\n| measure | peer | askme |\n| one question | 3 ms | 1 ms |\n")
    assert keeping_side_by_side(generated, "# Benchmarks\n\n| old | 1 |\n") == generated


def test_bench_names_the_model_it_measured():
    from askme.bench import Results, markdown

    text = markdown(Results(rows=[("answer latency, 10 facts", "p50 2.1 ms", "")]),
                    "askme bench", "everyday")
    assert text.splitlines()[2].endswith(". Model: `everyday`.")
    assert "| answer latency, 10 facts | p50 2.1 ms |  |" in text
