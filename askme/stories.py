"""Reading what a person gives askme: a typed or piped line as facts, questions or a
command, and story files (plain text, prose or bAbI format), all checked before use."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from askme.english import (AUXILIARIES, BUILDINGS, CLAUSE_TIMES, CLAUSE_VERBS, HANDLING_VERBS,
                            INDIRECT_QUESTION, QUESTION_WORDS, RELATIVES, THING_PRONOUNS,
                            VEHICLES, WORD, reads_as_past)
from askme.errors import AskmeError, UsageError
from askme.limits import MAX_LINE_CHARS, MAX_STORY_BYTES


# A sentence ends at . ! or ? followed by space; "Mr. Smith" splits wrongly, which costs a
# fact boundary, never a crash.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BABI_LINE = re.compile(r"^\d+ ")
# A sentence told as a statement ends in '.' or '!', perhaps inside a closing quote.
_STATEMENT_END = re.compile(r"[.!][\"'”’)]*$")
# What Python makes of the bytes of a command-line argument or a stream that are no UTF-8:
# nothing else can store or encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Line:
    kind: str  # "fact", "question", "command" or "blank"
    text: str  # stripped; a command keeps its leading "/"


# A title's full stop, which ends no sentence ("Dr. Jones went home.").
_TITLE_STOP = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St|Mt)\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if sentences and part and _TITLE_STOP.search(sentences[-1]):
            sentences[-1] += " " + part
        elif part:
            sentences.append(part)
    return sentences


# Words that begin a subject: an article or a possessive, and the pronouns.
_SUBJECT_OPENERS = {"the", "a", "an", "my", "your", "his", "her", "its", "our", "their"}
_SUBJECT_PRONOUNS = {"i", "you", "he", "she", "it", "we", "they"}
# After a question word, these begin the subject of a clause ("When Mary left, ...", "What
# the box holds is ..."): the sentence is a statement.
_CLAUSE_SUBJECTS = _SUBJECT_OPENERS | _SUBJECT_PRONOUNS | {"this", "that", "these", "those"}
# Words a thing taken may open with ("picked up a hammer, a saw and some nails").
_THING_OPENERS = _SUBJECT_OPENERS | {"some"}
_WORD = re.compile(WORD.pattern + r"(?:'[a-z]+)?")  # a word, and a clitic ("where's")


def reads_as_question(sentence: str) -> bool:
    """A question: it ends in '?'; or, ending in no '.' or '!', it starts with an auxiliary
    ("is Mary in the kitchen", "did John go home", but not "do not ...") or with a question
    word followed by anything but the subject of a clause or a comma ("where is alice",
    "where's the ball", "who went to the garden", "how many apples", but not "When Mary
    left, John stayed" nor "Where possible, ..."); or it asks for one, however it ends
    ("Tell me where Ken is.", "I wonder who has the ball")."""
    if sentence.rstrip().endswith("?") or INDIRECT_QUESTION.match(sentence):
        return True
    if _STATEMENT_END.search(sentence.rstrip()):
        return False  # "Will went home.", "When asked, Mary went home.": told as a statement
    words = _WORD.findall(sentence)
    if not words:
        return False
    first, _, clitic = words[0].lower().partition("'")
    second = words[1] if len(words) > 1 else ""
    if first in AUXILIARIES:
        return len(words) > 1 and second.lower() not in ("not", "n't")
    if first in QUESTION_WORDS:
        if re.match(rf"\s*{re.escape(words[0])}(?:\s+[\w']+)?\s*,", sentence):
            return False  # "Where possible, ...", "When asked, ...": a clause, then the rest
        return bool(clitic) or (bool(second) and not second[0].isupper()
                                and second.lower() not in _CLAUSE_SUBJECTS)
    return False


# Where one clause of a sentence may end and the next begin: a comma, "and", "but", "then",
# "while", "before", "after which" or "where" (the words that join them are dropped: the
# clauses keep their order, which "before" keeps too: "took the scarf before she went out").
_JOIN = re.compile(r"\s*,\s*(?:(?:and|but|while|whereas|before)\b\s*,?\s*)?"
                   r"(?:then\s+|after\s+which\s+|where\s+)?"
                   r"|\s+(?:and|but)\b\s*,?\s*(?:then\s+)?|\s+(?:then|while|whereas|before)\s+",
                   re.IGNORECASE)
# Words before a verb that are no subject of one word as "hens" is ("and so is Bob", ", who
# was tired"): the clause goes on the one before.
_NO_SUBJECTS = {"so", "nor", "neither", "who", "which", "that", "there", "here", "not",
                "also", "too", "what", "where", "how", "why", "when"}
# A clause opening so depends on the next ("When Mary left, John went home."): not cut.
_SUBORDINATORS = {"when", "while", "because", "if", "although", "though", "since", "unless",
                  "until", "once", "as", "whenever", "whether"}


def _clause_start(text: str) -> tuple[str, str | None, str] | None:
    """(words of time, subject or None, the rest) where `text` begins a clause: a verb of
    CLAUSE_VERBS, perhaps after a subject ("Amy", "the dog", "she", "Ken and Amy", "hens")
    and words of time ("later, she went ..."); None where it does not ("the ball")."""
    time = CLAUSE_TIMES.match(text)
    when = time.group() if time else ""
    words = text[len(when):].split()
    if words and words[0].lower() in _SUBORDINATORS:
        return None
    verb = next((i for i in range(min(len(words), 6)) if _opens_clause(words, i)), None)
    if verb is None:
        return None
    subject = words[:verb]
    first = subject[0] if subject else ""
    if not subject or (first.lower() in _SUBJECT_PRONOUNS and verb == 1) \
            or (first.lower() in _SUBJECT_OPENERS and verb <= 3) \
            or all(w[:1].isupper() or w == "and" for w in subject) \
            or (verb == 1 and first.isalpha() and first.lower() not in _NO_SUBJECTS):
        return when, " ".join(subject) or None, " ".join(words[verb:])
    return None


def _opens_clause(words: list[str], i: int) -> bool:
    """Whether words[i] is the verb of a clause: one of CLAUSE_VERBS; or a past tense with
    words after it, not right after "the" or "a" ("the red ball", "and smiled")."""
    word = words[i]
    if word.lower() in CLAUSE_VERBS:
        return True
    return reads_as_past(word) and i + 1 < len(words) \
        and (i == 0 or words[i - 1].lower() not in _SUBJECT_OPENERS)


def _names_only(text: str) -> bool:
    """Whether `text` is capitalised words alone, perhaps after words of time ("later,
    Karl"): the start of a subject that goes on after "and"."""
    time = CLAUSE_TIMES.match(text)
    words = text[time.end() if time else 0:].split()
    return bool(words) and all(word[:1].isupper() for word in words)


def _handled_before(clause: str) -> str | None:
    """What a clause says up to the thing its verb of HANDLING_VERBS takes ("Jo picked up"
    of "Jo picked up the cup"), or None where it has none."""
    words = clause.split()
    verb = next((i for i, word in enumerate(words) if word.lower() in CLAUSE_VERBS), None)
    if verb is None or words[verb].lower() not in HANDLING_VERBS:
        return None
    thing = next((i for i in range(verb + 1, len(words))
                  if words[i].lower() in _THING_OPENERS), None)
    return None if thing is None else " ".join(words[:thing])


def split_clauses(sentence: str) -> list[str]:
    """A fact told as clauses joined by commas, "and", "but", "then" or "while", as one
    fact a clause ("Ken went to the park and took the ball." as "Ken went to the park." and
    "Ken took the ball."): a model reads one fact at each sentence's end, and one fact
    cannot hold both. A clause opens with a verb of CLAUSE_VERBS or any verb in the past
    (english.reads_as_past), perhaps after its subject; one that names no subject takes the
    one before's; words that begin no clause ("the ball" of "took the apple and the ball")
    stay with the clause before them. Carrying a thing to a place is taking it and going
    there; taking it somewhere, going there and taking it; going with it, taking it and
    going (_told_apart)."""
    stop = re.search(r"[.!]+$", sentence)
    body, end = (sentence[:stop.start()], stop.group()) if stop else (sentence, ".")
    cuts = list(_JOIN.finditer(body))
    if not cuts:
        return _told_apart(body, end) or [sentence]
    pieces = [body[:cuts[0].start()]] + [
        body[cut.end():cuts[i + 1].start() if i + 1 < len(cuts) else len(body)]
        for i, cut in enumerate(cuts)]
    for i in range(len(pieces) - 2, 0, -1):  # "and later, it ...": the time opens the next
        time = CLAUSE_TIMES.match(pieces[i])
        if time and time.end() == len(pieces[i]):
            pieces[i:i + 2] = [f"{pieces[i].rstrip(', ')}, {pieces[i + 1]}"]
            del cuts[i]
    for i in range(len(pieces) - 2, -1, -1):  # "then Daria and Hiro took ...": one subject
        if re.fullmatch(r"\s*(?:,\s*)?and\s+|\s*,\s*", cuts[i].group(), re.IGNORECASE) \
                and _names_only(pieces[i]) \
                and _clause_start(pieces[i]) is None \
                and (_clause_start(pieces[i + 1]) or ("", None, ""))[1] is not None:
            pieces[i:i + 2] = [pieces[i] + cuts[i].group() + pieces[i + 1]]
            del cuts[i]
    opened = _clause_start(pieces[0])
    subject = opened[1] if opened else None
    clauses = [pieces[0]]
    for cut, piece in zip(cuts, pieces[1:]):
        start = _clause_start(piece)
        handled = _handled_before(clauses[-1]) if start is None else None
        if handled and piece.split()[:1] and piece.split()[0].lower() in _THING_OPENERS:
            clauses.append(f"{handled} {piece}")  # "Jo took the cup and the plate"
            continue
        if start is None or _clause_start(clauses[-1]) is None \
                or start[1] is None and subject is None:
            clauses[-1] += cut.group() + piece
            continue
        when, named, rest = start
        subject = named or subject
        clauses.append(f"{when}{subject} {rest}")
    clauses = [clause.rstrip(" ,") for clause in clauses]
    told = [fact for clause in clauses for fact in _told_apart(clause, end) or [clause + end]]
    if len(told) == 1:
        return [sentence]
    return [fact[:1].upper() + fact[1:] for fact in told]


# "Ben carried the box to the garage": a thing taken and a place gone to, which no one fact
# the model read tells; as two, "Where is the box?" is answered.
_CARRYING = re.compile(r"(?P<who>.+?)\s+(?:carried|took|brought|dragged|pushed|pulled|wheeled)"
                       r"\s+(?P<thing>(?:it|them|(?:the|a|an|his|her|their|my|our|your)"
                       r"(?:\s+[^\W\d_]+){1,2}))"
                       r"\s+(?:back\s+)?(?:to|into)\s+(?P<place>the\s+[^\W\d_]+)", re.IGNORECASE)


def _carried(clause: str, end: str) -> list[str] | None:
    """A clause of carrying something to a place as the two facts it tells ("Ben took the
    box." and "Ben went to the garage."; of carrying "it", the going alone), or None where
    it tells no such thing (a journey by train, a thing brought to a person)."""
    match = _CARRYING.fullmatch(clause.strip())
    if not match or VEHICLES & set(match["thing"].lower().split()):
        return None
    who = match["who"]
    went = f"{who} went to {match['place']}{end}"
    if match["thing"].lower() in THING_PRONOUNS:
        return [went]  # a thing told before ("picked up the cup ... and carried it there")
    return [f"{who} took {match['thing']}{end}", went]


# "Julia picked up the cake at the shop": a thing taken where its taker was, which no one
# fact the model read tells (it read the shop as where the cake stays, and answered it after
# Julia had gone on to the party); told as going there, then taking it.
_TAKEN_AT = re.compile(r"(?P<who>.+?)\s+(?P<taking>(?:took|got|grabbed|collected|fetched|bought"
                       r"|picked\s+up|caught|received)\s+(?:the|a|an|some|his|her|their|my|our"
                       r"|your)(?:\s+[^\W\d_]+){1,2}?)"
                       r"\s+(?:at|in)\s+(?P<place>the(?:\s+[^\W\d_]+){1,2}|[A-Z][^\W\d_]+)",
                       re.IGNORECASE)
# "Lena went to the beach with her camera": going there with a thing is taking it along.
_GONE_WITH = re.compile(r"(?P<who>.+?)\s+(?P<going>(?:went|walked|ran|drove|cycled|flew|travelled"
                        r"|traveled|headed|hurried|moved|came|returned)\s+(?:back\s+)?to\s+"
                        r"(?:the\s+)?[^\W\d_]+)\s+with\s+(?P<thing>(?:the|a|an|his|her|their"
                        r"|my|our|your)\s+[^\W\d_]+)", re.IGNORECASE)

# "Ravi put his keys in the drawer": a thing put down and where it then is, which no one
# fact the model read tells (it read where the keys are, and still counted them held).
_PUT_IN = re.compile(r"(?P<who>.+?)\s+(?:put|placed|left|hid|stored|dropped|set|laid|stuck"
                     r"|tucked|stashed)\s+(?P<thing>(?:the|a|an|his|her|their|my|our|your)"
                     r"(?:\s+[^\W\d_]+){1,2}?)\s+(?P<where>(?:in|into|on|onto|under|inside"
                     r"|behind|beside)\s+(?:the|a|an|his|her|their|my|our|your)"
                     r"(?:\s+[^\W\d_]+){1,2})", re.IGNORECASE)

# Whom one goes with, not a thing taken along ("with his kids"; and RELATIVES, VEHICLES).
_COMPANY = {"kids", "children", "family", "team", "class", "group", "people", "crew"}
# What one leaves that is not put down ("Anna left the office in the morning."), and where
# one is, not a place a thing is put ("in a hurry", "on his bike").
_NOT_PUT = VEHICLES | RELATIVES | BUILDINGS | _COMPANY | {"room", "home"}
_NOT_PUT_IN = VEHICLES | {"morning", "afternoon", "evening", "night", "hurry", "rain", "dark",
                          "end", "meantime", "past", "future", "bike", "car", "way", "time",
                          "weekend", "week", "day", "moment", "middle"}


def _told_apart(clause: str, end: str) -> list[str] | None:
    """A clause that tells two facts no one fact the model read tells, as those two
    (_carried, _TAKEN_AT, _GONE_WITH, _PUT_IN), or None."""
    carried = _carried(clause, end)
    if carried:
        return carried
    taken = _TAKEN_AT.fullmatch(clause.strip())
    if taken:
        return [f"{taken['who']} went to {taken['place']}{end}",
                f"{taken['who']} {taken['taking']}{end}"]
    gone = _GONE_WITH.fullmatch(clause.strip())
    company = gone and gone["thing"].split()[-1].lower()
    if gone and company not in VEHICLES | RELATIVES | _COMPANY \
            and company.removesuffix("s") not in RELATIVES:  # not "with a friend"
        return [f"{gone['who']} took {gone['thing']}{end}", f"{gone['who']} {gone['going']}{end}"]
    put = _PUT_IN.fullmatch(clause.strip())
    if put and put["thing"].split()[-1].lower() not in _NOT_PUT \
            and put["where"].split()[-1].lower() not in _NOT_PUT_IN:
        thing = put["thing"]
        be = "are" if thing.lower().endswith("s") and not thing.lower().endswith("ss") else "is"
        return [f"{put['who']} put down {thing}{end}",
                f"{thing[:1].upper()}{thing[1:]} {be} {put['where']}{end}"]
    return None


def classify(text: str, clauses: bool = True) -> list[Line]:
    """One typed or piped line as facts, questions or one command.

    A line starting with '/' is a command; otherwise it is split into sentences, and a
    sentence that reads as a question (reads_as_question) is one, any other a fact; with
    `clauses`, a fact a clause (split_clauses).
    """
    text = text.strip()
    if len(text) > MAX_LINE_CHARS:
        raise AskmeError(f"a line of {len(text):,} characters: the limit is {MAX_LINE_CHARS:,} "
                         f"(askme.limits.MAX_LINE_CHARS)")
    if not text:
        return [Line("blank", "")]
    if _SURROGATE.search(text):
        raise AskmeError("not UTF-8 text (a byte that is no character); type it again, or "
                         "save the file as UTF-8")
    if text.startswith("/"):
        return [Line("command", text)]
    return [line for s in split_sentences(text) for line in _read_sentence(s, clauses)]


def _read_sentence(s: str, clauses: bool) -> list[Line]:
    if reads_as_question(s):
        return [Line("question", s)]
    return [Line("fact", clause) for clause in (split_clauses(s) if clauses else [s])]


def one_question(text: str) -> str:
    """The QUESTION of `askme ask QUESTION`: one sentence, asked even where it does not read
    as a question ("tell me where Mary is"), unless it is told as a fact or a command."""
    lines = classify(text, clauses=False)  # a sentence a line: a question is one sentence
    if lines[0].kind == "blank":
        raise UsageError("QUESTION is empty")
    if lines[0].kind == "command":
        raise AskmeError(f"{lines[0].text[:40]!r} is a command of 'askme chat'")
    if len(lines) > 1:
        raise AskmeError("one question at a time: pipe several, or facts and questions, to "
                         "'askme ask --stdin'")
    if lines[0].kind == "fact" and _STATEMENT_END.search(lines[0].text):
        raise AskmeError(f"{lines[0].text[:60]!r} is told as a fact: tell facts in 'askme chat', "
                         f"with 'askme load' or 'askme ask --stdin --save'")
    return lines[0].text


@dataclass
class StoryQuestion:
    text: str
    fact_count: int  # the question is asked of the facts before it: facts[:fact_count]
    gold: str | None = None  # the expected answer, in bAbI files
    line: int = 0


@dataclass
class Story:
    kind: str  # "plain" or "babi"
    facts: list[str] = field(default_factory=list)
    questions: list[StoryQuestion] = field(default_factory=list)
    # bAbI only: the facts each question is asked of, when the file holds several stories
    question_facts: list[list[str]] = field(default_factory=list)


def _decoded_lines(name: str, raw: bytes) -> list[str]:
    lines = []
    raw = raw.removeprefix(codecs.BOM_UTF8)  # as some editors on Windows save UTF-8
    for number, chunk in enumerate(raw.split(b"\n"), 1):
        if b"\x00" in chunk:
            raise AskmeError(f"{name}:{number}: a NUL byte: this looks like a binary file, "
                             f"not a story")
        try:
            lines.append(chunk.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as error:
            raise AskmeError(f"{name}:{number}: not UTF-8 text (byte {error.start + 1} of the "
                             f"line); save the file as UTF-8") from None
    return lines


def read_story(source: str | Path, stdin=None, clauses: bool = True) -> Story:
    """A story file: bAbI format (numbered lines) or plain text (one sentence per line, or
    prose). The whole file is checked before anything is returned (all or nothing).
    `source` '-' reads `stdin` (a binary stream)."""
    if str(source) == "-":
        name, raw = "<stdin>", read_limited("<stdin>", stdin)
    else:
        name = str(source)
        try:
            with open(source, "rb") as handle:
                raw = read_limited(name, handle)
        except IsADirectoryError:
            raise AskmeError(f"{name}: is a folder, not a story file") from None
        except OSError as error:
            raise AskmeError(f"{name}: cannot read ({error.strerror})") from None
    lines = _decoded_lines(name, raw)
    told = list(islice(filter(None, (line.strip() for line in lines)), 2))  # the first two
    # bAbI numbers its lines from 1 (a later line numbered wrong is then an error naming it);
    # prose may start with a number ("2 cats ran off.", "1 cat stayed. Mary left.").
    if told[:1] and told[0].startswith("1 ") and all(_BABI_LINE.match(t) for t in told[1:]):
        return _babi_story(name, lines)
    return plain_story(name, lines, clauses=clauses)


def plain_story(name: str, lines: list[str], facts: list[str] | None = None,
                on_command=None, clauses: bool = True) -> Story:
    """Facts and questions from plain lines, after `facts` already known. A command line is
    passed to `on_command(line_number, text)`, or is an error when there is none. With
    `clauses`, a fact told as clauses is a fact a clause (classify)."""
    story = Story("plain", list(facts or []))
    for number, text in _paragraph_lines(lines):
        try:
            classified = classify(text, clauses)
        except AskmeError as error:
            raise AskmeError(f"{name}:{number}: {error}") from None
        for line in classified:
            if line.kind == "command":
                if on_command is None:
                    raise AskmeError(f"{name}:{number}: a command in a story file: "
                                     f"{line.text[:40]!r}")
                on_command(number, line.text)
            elif line.kind == "fact":
                story.facts.append(line.text)
            elif line.kind == "question":
                story.questions.append(StoryQuestion(line.text, len(story.facts), line=number))
    return story


def _paragraph_lines(lines: list[str]):
    """(first line number, text) with prose lines joined: a line that does not end a
    sentence (. ! ? or a closing quote after one) continues on the next line, until a blank
    line. Commands, and lines that start by reading as a question, stand alone."""
    pending, start = [], 0
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith("/") and not pending:
            yield number, text
            continue
        if not text:
            if pending:
                yield start, " ".join(pending)
                pending = []
            continue
        # "where is alice" stands alone; after an unfinished line, only a question that
        # ends in '?' does ("is in the box" may go on from "The ball").
        if reads_as_question(text) and (not pending or text.endswith("?")):
            if pending:
                yield start, " ".join(pending)
                pending = []
            yield number, text
            continue
        if not pending:
            start = number
        pending.append(text)
        if re.search(r"[.!?][\"'”’)]*$", text):
            yield start, " ".join(pending)
            pending = []
    if pending:
        yield start, " ".join(pending)


def read_limited(name: str, stream) -> bytes:
    """A binary stream's bytes, refused once past MAX_STORY_BYTES (never read whole): a
    file by its size before reading, a pipe after the limit."""
    import os

    try:
        too_big = os.fstat(stream.fileno()).st_size > MAX_STORY_BYTES
    except (OSError, AttributeError, ValueError):  # not a real file: count while reading
        too_big = False
    raw = b"" if too_big else stream.read(MAX_STORY_BYTES + 1)
    if too_big or len(raw) > MAX_STORY_BYTES:
        raise AskmeError(f"{name}: larger than {MAX_STORY_BYTES // 2**20} MB, the limit for a "
                         f"story (askme.limits.MAX_STORY_BYTES); split it into smaller files")
    return raw


def read_lines(name: str, stream) -> list[str]:
    """All lines of a binary stream, checked like a story file (UTF-8, no NUL bytes)."""
    return _decoded_lines(name, read_limited(name, stream))


def _babi_story(name: str, lines: list[str]) -> Story:
    from askme.babi import parse_babi

    examples = parse_babi(lines, name=name)
    story = Story("babi")
    # The memory keeps the facts of the file's last story (bAbI restarts numbering at 1).
    current: list[str] = []
    for number, text in enumerate(lines, 1):
        parts = text.strip().split(" ", 1)
        if len(parts) < 2:
            continue
        if parts[0] == "1":
            current = []
        if "\t" not in parts[1]:
            current.append(parts[1].strip())
    story.facts = current
    for example in examples:
        line = int(example.source.rsplit(":", 1)[1]) if ":" in example.source else 0
        story.questions.append(StoryQuestion(example.question, len(example.story),
                                             example.answer, line))
        story.question_facts.append(list(example.story))
    return story


def write_facts(path: Path, facts: list[str]) -> None:
    """One fact per line, written to a temporary file and renamed: never half a file."""
    from askme.files import write_atomic

    text = "".join(f"{fact}\n" for fact in facts)
    try:
        write_atomic(path.resolve(), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as error:
        raise AskmeError(f"{path}: cannot write ({error.strerror})") from None
