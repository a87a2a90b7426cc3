"""Property-based tests: whatever the input, askme answers, or says what is wrong in one
line; it never raises anything else."""

import contextlib
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askme import stories

from askme.babi import parse_babi
from askme.cli import main
from askme.errors import AskmeError
from askme.memory import answering
from askme.memory.store import MemoryStore
from askme.repl import ChatState, handle_line

# Text with everything a user can paste: any Unicode (control characters, NUL, surrogates
# excluded only where UTF-8 cannot carry them), newlines, very long runs.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
LINES = st.lists(st.one_of(ANY_TEXT, st.sampled_from(
    ["", "   ", "\t", "1 Mary went home.", "2 Where is Mary?\thome\t1", "3 x\ty\tz", "/help",
     "/forget 99", "Where is Mary?", "Mary went to the kitchen.", "?", ".", "x" * 2500])),
    max_size=12)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def model():
    return answering.load_model()


@SETTINGS
@given(LINES)
def test_babi_reader_parses_or_names_the_line(lines):
    try:
        examples = parse_babi(lines, name="f.txt")
    except AskmeError as error:
        assert str(error).startswith("f.txt:") and "\n" not in str(error)
    else:
        for example in examples:
            assert all(0 <= s < len(example.story) for s in example.supports)


@SETTINGS
@given(st.one_of(st.binary(max_size=2000), LINES.map(lambda ls: "\n".join(ls).encode()),
                 st.lists(st.sampled_from(["utf-8", "latin-1", "utf-16"])).map(
                     lambda encs: b"\n".join("Mary went to the café.".encode(e) for e in encs))))
def test_story_reader_reads_or_refuses_in_one_line(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("story") / "story.txt"
    path.write_bytes(raw)
    try:
        story = stories.read_story(path)
    except AskmeError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
    else:
        assert all(fact.strip() and len(fact) <= 2000 for fact in story.facts)


@SETTINGS
@given(ANY_TEXT)
def test_tokenizer_encodes_anything(model, text):
    ids = model.tokenizer.encode(text)
    assert all(0 <= i < model.tokenizer.vocab_size for i in ids)
    model.tokenizer.decode(ids)


@SETTINGS
@given(LINES)
def test_chat_lines_always_get_a_reply(model, tmp_path_factory, lines):
    store = MemoryStore(tmp_path_factory.mktemp("chat") / "m.sqlite3")
    state = ChatState(store)
    state._checkpoint = model
    for line in lines:
        for item in handle_line(state, line):  # never raises
            assert item is not None
    store.close()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(LINES)
def test_ask_stdin_answers_each_question_or_fails_in_one_line(tmp_path_factory, lines):
    home = tmp_path_factory.mktemp("home")
    stdin = io.TextIOWrapper(io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass")))
    out, err = io.StringIO(), io.StringIO()
    old_stdin, old_home = os.sys.stdin, os.environ.get("ASKME_HOME")
    os.environ["ASKME_HOME"], os.sys.stdin = str(home), stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["ask", "--stdin"])
    finally:
        os.sys.stdin = old_stdin
        if old_home is None:
            os.environ.pop("ASKME_HOME")
        else:
            os.environ["ASKME_HOME"] = old_home
    errors = [line for line in err.getvalue().splitlines() if line.startswith("askme: error")]
    assert code in (0, 1)
    assert (code == 1) == bool(errors) and len(errors) <= 1
    if code == 0:
        questions = [line for text in lines if not text.strip().startswith("/")
                     for line in stories.classify(text) if line.kind == "question"]
        assert len(out.getvalue().splitlines()) == len(questions)
