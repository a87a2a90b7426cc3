"""The `askme` command: a thin layer over importable functions.

Heavy modules (torch, sentencepiece, rich) are imported inside the command handlers, so
`askme --help` and `askme --version` start in a fraction of a second.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from askme import __version__
from askme.dmn.config import DMNConfig
from askme.errors import AskmeError
from askme.paths import DEFAULT_MODEL
from askme.training.options import DEFAULT_SEED, TrainOptions
from askme.visible import visible


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _checked(convert, ok, requirement: str):
    """An argparse type: `convert` the text, then require `ok(value)`."""
    noun = "whole number" if convert is int else "number"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {noun}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"{text!r} {requirement}")
        return value

    return parse


_positive_int = _checked(int, lambda v: v >= 1, "must be at least 1")
_positive_float = _checked(float, lambda v: v > 0, "must be above 0")

_DATA_HELP = ("bAbI 1k folder (default: en/ of $ASKME_BABI, of the tasks 'askme data fetch' "
              "downloaded, or of ../shared/babi beside a checkout)")
_MODEL_HELP = f"model folder, or a shipped model's name (default: {DEFAULT_MODEL})"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="askme", description="Question answering with a Dynamic Memory "
                     "Network (Kumar et al. 2016): tell it facts, ask it questions.")
    parser.add_argument("--version", action="version", version=f"askme {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser(
        "train", help="train a model on bAbI tasks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train one DMN jointly on the chosen bAbI tasks, with answer and\n"
        "supporting-fact (gate) supervision; a recipe (recipes/*.toml) runs every stage of\n"
        "a model such as the shipped one.",
        epilog="examples:\n"
        "  askme train --tasks 1 --epochs 30 --out task1       task 1 learnt in about 20 s\n"
        "  askme train --recipe recipes/everyday.toml --out m  the default model, going on from\n"
        "                                                      babi-1k (about 64 min)\n"
        "  askme train --recipe recipes/babi-1k.toml --out m   babi-1k (about 87 min)\n"
        "  askme train --init babi-1k --tasks 1-20 --epochs 2 --lr 0.0001 --out tuned\n"
        "\nThe first run on a machine builds the compiled GRU (about 30 s, said once).")
    options, model = TrainOptions(data=Path(), tasks=[]), DMNConfig()
    what = train.add_argument_group("what to train")
    what.add_argument("--recipe", type=Path, metavar="FILE",
                      help="run every stage of this recipe (keys: askme/training/recipe.py); "
                           "with it give only --data, --out, --threads, --processes and "
                           "--device")
    what.add_argument("--data", type=Path, metavar="DIR", help=_DATA_HELP)
    what.add_argument("--tasks", default="1-20", metavar="TASKS",
                      help="task numbers, e.g. 1-20 or 1,2,6 (1-20)")
    what.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="folder to write the model to")
    what.add_argument("--init", metavar="MODEL",
                      help="go on training this model (a folder or a shipped model's name): "
                           "its size, tokenizer and seed")
    how = train.add_argument_group("how")
    how.add_argument("--epochs", type=_positive_int, metavar="N", default=options.epochs,
                     help=f"most epochs ({options.epochs})")
    how.add_argument("--seed", type=int, default=None, metavar="N",
                     help=f"random seed ({DEFAULT_SEED}; with --init, that model's)")
    how.add_argument("--batch-size", type=_positive_int, metavar="N", default=options.batch_size,
                     help=f"questions per step ({options.batch_size})")
    how.add_argument("--lr", type=_positive_float, default=options.lr, metavar="RATE",
                     help=f"Adam learning rate ({options.lr})")
    how.add_argument("--time-limit", type=_positive_float, metavar="MINUTES",
                     help="stop after the epoch that passes this many minutes")
    how.add_argument("--hidden", type=_positive_int, metavar="N", default=model.hidden_dim,
                     help=f"GRU state size ({model.hidden_dim})")
    how.add_argument("--embed", type=_positive_int, metavar="N", default=model.embed_dim,
                     help=f"word embedding size ({model.embed_dim})")
    where = train.add_argument_group("where")
    where.add_argument("--threads", type=_positive_int, metavar="N",
                       help="torch threads a process (default: the cores, shared among the "
                            "processes --processes or torchrun starts on this machine)")
    where.add_argument("--processes", type=_positive_int, default=1, metavar="N",
                       help="processes on this machine that split every batch and add up "
                            "their gradients in shared memory (1; the fastest is one a core)")
    where.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                       help="where to train: auto takes a GPU when there is one (auto)")
    train.set_defaults(handler=cmd_train, parser=train)

    evaluate = commands.add_parser("eval", help="score a model on bAbI test files",
                                   description="Score a model on the *_test.txt files of a bAbI "
                                   "folder: accuracy, supporting-fact accuracy and passes per task.")
    evaluate.add_argument("--data", type=Path, help=_DATA_HELP)
    evaluate.add_argument("--tasks", help="task numbers, e.g. 1-20 or 1,2,6 (default: those "
                          "with a test file in --data, else 1-20)")
    evaluate.add_argument("--model", metavar="MODEL", help=_MODEL_HELP)
    output = evaluate.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--markdown", action="store_true",
                        help="print a Markdown table beside the paper's DMN and MemNN")
    evaluate.add_argument("--threads", type=_positive_int, help="torch threads (default: all cores)")
    evaluate.set_defaults(handler=cmd_eval)

    rename = commands.add_parser(
        "rename", help="copy bAbI test files with their people, places and objects renamed",
        description="Write copies of a bAbI folder's *_test.txt files in which every person, "
        "place and object is swapped for a word bAbI never uses (Mary -> Alice, kitchen -> "
        "library, apple -> umbrella, ...), for 'askme eval --data OUT'.")
    rename.add_argument("--data", type=Path, help=_DATA_HELP)
    rename.add_argument("--tasks", default="1-20", help="task numbers, e.g. 1-20 or 1,2,6")
    rename.add_argument("--out", type=Path, required=True, help="folder to write the copies to")
    rename.set_defaults(handler=cmd_rename)

    def user_options(sub) -> None:
        sub.add_argument("--memory", default="default", metavar="NAME",
                         help="which working memory (default: default)")
        sub.add_argument("--model", metavar="MODEL", help=_MODEL_HELP)

    chat = commands.add_parser("chat", help="type facts and ask questions",
                               description="A chat with the working memory: a sentence ending "
                               "in '?' or starting like a question ('where is alice') is a "
                               "question, a line starting with '/' a command (/help), any "
                               "other sentence a fact.")
    user_options(chat)
    chat.add_argument("--no-history", action="store_true", help="do not keep a line history")
    chat.add_argument("--no-suggest", action="store_true",
                      help="no grey suggestions from the history")
    chat.add_argument("--no-episodes", action="store_true",
                      help="answers without the episode table (/episodes on shows it)")
    chat.set_defaults(handler=cmd_chat)

    load = commands.add_parser("load", help="load a story file into the memory",
                               description="Replace the working memory with the facts of a "
                               "story file: plain text (sentences) or bAbI format (numbered "
                               "lines; its questions are answered and scored). All or nothing.")
    load.add_argument("file", metavar="FILE", help="story file, or - for standard input")
    load.add_argument("--append", action="store_true", help="add to the memory, do not replace")
    user_options(load)
    load.set_defaults(handler=cmd_load)

    ask = commands.add_parser("ask", help="answer questions from the memory",
                              description="Answer a question against the working memory, or "
                              "with --stdin read lines: facts extend the memory for this run, "
                              "questions are answered in order, one line each on stdout.")
    ask.add_argument("question", nargs="?", metavar="QUESTION", help="the question")
    ask.add_argument("--stdin", action="store_true",
                     help="read facts and questions from stdin; the facts follow the stored "
                          "memory's (a new --memory NAME starts from none)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--quiet", action="store_true",
                     help="the answer only, no episode table (which is shown only on a "
                          "terminal: piped output is the answer alone)")
    ask.add_argument("--save", action="store_true",
                     help="with --stdin: keep the new facts in the memory")
    user_options(ask)
    ask.set_defaults(handler=cmd_ask)

    data = commands.add_parser("data", help="get the bAbI tasks onto this machine",
                               description="The bAbI tasks that eval, train, bench and rename "
                               "read: 'askme data fetch' downloads them.")
    data_commands = data.add_subparsers(dest="data_command", metavar="COMMAND",
                                        parser_class=_Parser, required=True)
    fetch = data_commands.add_parser(
        "fetch", help="download the official bAbI v1.2 tasks into the user data folder",
        description="Download bAbI v1.2 (tasks_1-20_v1-2.tar.gz), check every task file of "
        "en/ and en-10k/ against the checksums askme ships, and put them in the user data "
        "folder ($ASKME_HOME/babi, else $XDG_DATA_HOME/askme/babi, else "
        "~/.local/share/askme/babi), where eval, train, bench "
        "and rename find them. A file that fails its check leaves the folder as it was.")
    fetch.add_argument("--url", help="where to download the archive from (default: its "
                       "published location, http://www.thespermwhale.com/jaseweston/babi/)")
    fetch.add_argument("--from", dest="archive", type=Path, metavar="FILE",
                       help="an archive already on disk, instead of downloading")
    fetch.set_defaults(handler=cmd_data_fetch)

    bench = commands.add_parser("bench", help="measure speed and write BENCHMARKS.md",
                                description="Training throughput, answer and add-fact latency, "
                                "eval speed, start-up time and memory, as medians of runs.")
    bench.add_argument("--data", type=Path, help=_DATA_HELP)
    bench.add_argument("--data-10k", type=Path, help="bAbI 10k folder (default: en-10k beside "
                       "--data)")
    bench.add_argument("--model", metavar="MODEL", help=_MODEL_HELP)
    bench.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"),
                       help="Markdown file to write (default: BENCHMARKS.md)")
    bench.add_argument("--repeats", type=_positive_int, default=3, help="runs per number (3)")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke test")
    bench.add_argument("--long-only", action="store_true",
                       help="only the long-memory table, printed (BENCHMARKS.md is left as it is)")
    bench.add_argument("--threads", type=_positive_int, help="torch threads (default: all cores)")
    bench.add_argument("--processes", type=_positive_int, default=min(2, os.cpu_count() or 1),
                       help="also measure training with this many processes (default: 2 where "
                            "there are 2 cores; 1 skips it)")
    bench.set_defaults(handler=cmd_bench)
    return parser


def _set_threads(threads: int | None) -> None:
    import torch

    if threads is None:  # torchrun's processes on one machine share its cores
        local = os.environ.get("LOCAL_WORLD_SIZE", "1")
        threads = (os.cpu_count() or 1) // (max(1, int(local)) if local.isdigit() else 1)
    torch.set_num_threads(max(1, threads))


def _train_processes(args, options) -> int:
    from askme import render
    from askme.errors import UsageError
    from askme.training import distributed, parallel
    from askme.training.loop import gradient_capacity, train_job

    if distributed.launched_world_size() > 1:
        raise UsageError("--processes starts its own processes; under torchrun leave it out")
    if args.device == "cuda":
        raise UsageError("--processes trains on the CPU; on a GPU leave it out")
    threads = args.threads or parallel.default_threads(args.processes)
    _set_threads(threads)
    numel, params = gradient_capacity(options)
    with render.training_progress(options.epochs) as report:
        checkpoint = parallel.run(args.processes, threads, numel, params, train_job, (options,),
                                  {"report": report})
    _print_saved(options.out, checkpoint.info)
    return 0


def _print_saved(out, info) -> None:
    from rich.text import Text

    from askme import render

    render.stderr().print(Text(visible(
        f"saved {out}: validation accuracy {info['val_accuracy']:.1%} at epoch "
        f"{info['best_epoch']} of {info['epochs_run']}, {info['train_seconds']:.0f} s")),
        soft_wrap=True)


def cmd_train(args) -> int:
    if args.recipe is not None:
        return _train_recipe(args)
    from askme.paths import default_babi_dir, model_folder
    from askme.training.recipe import one_stage

    _set_threads(args.threads)
    recipe = one_stage(tasks=args.tasks, seed=args.seed, hidden=args.hidden, embed=args.embed,
                       epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       time_limit=args.time_limit)
    options = recipe.options(0, args.data or default_babi_dir(), args.out,
                             model_folder(args.init)[0] if args.init else None)
    _train_stage(args, options)
    return 0


def _train_stage(args, options) -> bool:
    """Train one model (one stage) on this process, on --processes of this machine, or as
    one rank of torchrun; True on the process that saved it."""
    from askme import render
    from askme.training import distributed
    from askme.training.loop import train

    options = dataclasses.replace(options, processes=args.processes)  # recorded in the model
    if args.processes > 1:
        _train_processes(args, options)
        return True
    context = distributed.start(args.device)
    try:
        if not context.is_main:  # progress and the summary are shown once, by rank 0
            train(options, None, context)
        else:
            with render.training_progress(options.epochs) as report:
                checkpoint = train(options, report, context)
    except BaseException:
        distributed.stop(context, failed=True)
        raise
    distributed.stop(context)
    if context.is_main:
        _print_saved(options.out, checkpoint.info)
    return context.is_main


# With --recipe, these are the only options that may be given: the recipe says the rest.
_WITH_RECIPE = {"recipe", "data", "out", "threads", "processes", "device", "command", "handler",
                "parser"}


def _train_recipe(args) -> int:
    from rich.text import Text

    from askme import render
    from askme.errors import UsageError
    from askme.paths import default_babi_dir
    from askme.training import distributed
    from askme.training.recipe import load_recipe, run_recipe

    given = sorted(f"--{name.replace('_', '-')}" for name, value in vars(args).items()
                   if name not in _WITH_RECIPE and value != args.parser.get_default(name))
    if given:
        raise UsageError(f"{', '.join(given)}: the recipe sets this; with --recipe give only "
                         f"--data, --out, --threads, --processes and --device")
    recipe = load_recipe(args.recipe)
    args.threads = args.threads or recipe.header.get("threads")
    _set_threads(args.threads)
    console = render.stderr()
    rank = distributed.launched_rank()

    def say(line: str) -> None:
        if not rank:  # one process, or rank 0 of torchrun's; names and paths are the user's
            console.print(Text(visible(line)), soft_wrap=True)

    run_recipe(recipe, args.data or default_babi_dir(), args.out,
               lambda options: _train_stage(args, options), say, rank)
    return 0


def cmd_rename(args) -> int:
    from askme.babi import parse_tasks, write_renamed
    from askme.paths import default_babi_dir

    written = write_renamed(args.data or default_babi_dir(), args.out, parse_tasks(args.tasks))
    print(visible(f"wrote {len(written)} renamed test files to {args.out}"))
    return 0


def cmd_eval(args) -> int:
    import json

    from askme import render
    from askme.babi import load_tasks, parse_tasks, tasks_in
    from askme.evaluation import evaluate
    from askme.memory.answering import load_model
    from askme.paths import default_babi_dir

    tasks = parse_tasks(args.tasks or "1-20")  # a bad list is named before a missing folder
    data = args.data or default_babi_dir()
    if args.tasks is None and args.data is not None:  # a probe may hold some task types
        tasks = tasks_in(data, "test") or tasks
    examples = load_tasks(data, tasks, "test")
    _set_threads(args.threads)
    checkpoint = load_model(args.model)
    report = evaluate(checkpoint, examples)
    if args.json:
        print(json.dumps(report))
    elif args.markdown:
        from askme.evaluation import markdown_table

        print(markdown_table(report), end="")
    else:
        render.stdout().print(render.eval_table(report))
    return 0


def cmd_chat(args) -> int:
    from rich.text import Text

    from askme import render
    from askme.memory.store import MemoryStore, StoreError, open_store, validate_name
    from askme.paths import history_file
    from askme.repl.loop import run_interactive, run_plain
    from askme.repl.state import ChatState

    try:
        store = open_store()
    except StoreError as error:  # the chat still works, for this session only
        render.stderr().print(Text(visible(f"askme: warning: {error}; this chat will not be "
                                           f"saved")), soft_wrap=True)
        store = MemoryStore(":memory:")
    state = ChatState(store, validate_name(args.memory), args.model,
                      episodes=not args.no_episodes)
    console = render.stdout()
    if sys.stdin.isatty() and sys.stdout.isatty():
        run_interactive(state, console, None if args.no_history else history_file(),
                        suggest=not args.no_suggest)
    else:
        run_plain(state, console, sys.stdin)
    return 0


def cmd_load(args) -> int:
    from askme import render, stories
    from askme.dmn.checkpoint import reads_words
    from askme.memory import answering
    from askme.memory.store import open_store, validate_name
    from askme.paths import model_folder

    memory = validate_name(args.memory)
    model_folder(args.model)  # a wrong --model is named even when no question needs it
    story = stories.read_story(args.file, stdin=sys.stdin.buffer,
                               clauses=not reads_words(args.model))
    if not story.facts:
        name = "<stdin>" if str(args.file) == "-" else args.file
        raise AskmeError(f"{name}: no facts in it; memory {memory!r} is left as it was")
    results = (answering.story_answers(answering.load_model(args.model, arrays=True), story)
               if story.questions else [])
    store = open_store()
    if args.append:
        store.add(memory, story.facts)
        replaced = 0
    else:
        replaced = store.replace(memory, story.facts)
    console = render.stdout()
    for item in render.load_report(story, results, memory, replaced, args.append):
        console.print(item)
    return 0


def cmd_ask(args) -> int:
    import json

    from askme import render, stories
    from askme.dmn.checkpoint import reads_words
    from askme.errors import UsageError
    from askme.memory.answering import answer_from_memory, load_model
    from askme.memory.cache import add_facts
    from askme.memory.store import open_store, validate_name

    if args.stdin == (args.question is not None):
        raise UsageError("give a QUESTION or --stdin (one of the two)")
    if args.save and not args.stdin:
        raise UsageError("--save goes with --stdin")
    memory = validate_name(args.memory)
    store = open_store()
    stored = store.facts(memory)
    if args.stdin:
        from rich.text import Text

        lines = stories.read_lines("<stdin>", sys.stdin.buffer)
        warn = render.stderr()
        story = stories.plain_story(
            "<stdin>", lines, stored, on_command=lambda number, text: warn.print(
                Text(visible(f"askme: line {number}: skipped {text[:40]!r}: commands work in "
                             f"'askme chat'")), soft_wrap=True),
            clauses=not reads_words(args.model))
    else:
        question = stories.one_question(args.question)
        story = stories.Story("plain", stored, [stories.StoryQuestion(question, len(stored))])
    for question in story.questions:
        if question.fact_count == 0:
            where = f"line {question.line}: " if args.stdin else ""
            raise AskmeError(f"{where}no facts in memory {memory!r} to answer "
                             f"{question.text[:60]!r} from; add facts first")
    new_facts = story.facts[len(stored):]
    checkpoint = load_model(args.model, arrays=True) if story.questions else None
    results = answer_from_memory(checkpoint, store, memory, stored, new_facts,
                                 [(q.text, q.fact_count) for q in story.questions]
                                 ) if story.questions else []
    console = render.stdout()
    for explanation in results:
        if args.json:
            print(json.dumps(explanation.to_json(), ensure_ascii=False))
        else:
            print(visible(explanation.answer))
            if not args.stdin and not args.quiet and console.is_terminal:
                console.print(render.episode_table(explanation))
    sys.stdout.flush()
    if args.save and new_facts:
        add_facts(store, memory, new_facts, checkpoint)
    return 0


def cmd_data_fetch(args) -> int:
    from askme import render
    from askme.errors import UsageError
    from askme.fetch import OFFICIAL_URL, fetch_babi
    from askme.paths import user_babi_dir

    if args.url and args.archive:
        raise UsageError("give --url or --from (one of the two)")
    dest = user_babi_dir()
    with render.download_progress() as progress:
        kept = fetch_babi(dest, url=args.url or OFFICIAL_URL, archive=args.archive,
                          progress=progress)
    sets = sorted({name.split("/")[0] for name in kept})
    print(visible(f"{len(kept)} bAbI task files ({', '.join(sets)}) checked and saved in {dest}"))
    return 0


def cmd_bench(args) -> int:
    from askme.memory.answering import load_model
    from askme.paths import default_babi_dir

    _set_threads(args.threads)
    from askme import bench

    data = args.data or default_babi_dir()
    data_10k = args.data_10k or data.parent / "en-10k"
    checkpoint = load_model(args.model)
    if args.long_only:
        stories = bench.QUICK_LONG_STORIES if args.quick else bench.LONG_STORIES
        print("\n".join(bench.long_memory(checkpoint, stories)))
        return 0
    results = bench.run_benchmarks(checkpoint, data, data_10k, args.repeats,
                                   batches=10 if args.quick else 60, quick=args.quick,
                                   processes=args.processes)
    command = "askme " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("askme") else "askme bench"
    from askme.files import write_atomic

    text = bench.markdown(results, command, args.model or DEFAULT_MODEL)
    try:
        if args.out.exists():
            previous = args.out.read_text(encoding="utf-8", errors="replace")
            text = bench.keeping_side_by_side(text, previous)
        write_atomic(args.out.resolve(), lambda path: Path(path).write_text(text))
    except OSError as error:
        raise AskmeError(f"{args.out}: cannot write ({error.strerror})") from None
    print(text, end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    # numpy's OpenBLAS, read when numpy loads: the answer path's products are small, and
    # threads only wait on each other, and on a busy core (a one-question answer took 4.0 ms
    # on 2 threads beside a training, 1.7 ms on one). Torch keeps its own threads.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        code = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`askme eval --json | head`): nothing is wrong, and Python
        # would otherwise print a traceback, and again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141  # as a shell reports a command ended by SIGPIPE
    # Only a training run under torchrun has loaded this module and joined a group.
    distributed = sys.modules.get("askme.training.distributed")
    if distributed is not None and distributed.joined_a_group():
        distributed.end_process(code)
    return code


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except AskmeError as error:
        print(f"askme: error: {visible(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("askme: interrupted", file=sys.stderr)
        return 130
