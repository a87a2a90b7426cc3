"""The shipped model answers short stories written for this test (not taken from bAbI), one
group per bAbI task type. Every answer must be right."""

from pathlib import Path

import pytest

from askme.memory import answering

# (task type, facts, question, answer). The words are bAbI's (the model knows no others),
# the stories are new. Task 17, which the shipped model fails on bAbI too, has none.
STORIES = [
    ("1 single supporting fact", ["Sandra went to the garden.", "John moved to the office.",
                                  "Sandra travelled to the kitchen."], "Where is Sandra?", "kitchen"),
    ("1 single supporting fact", ["Bill journeyed to the park.", "Fred went to the school."],
     "Where is Bill?", "park"),
    ("2 two supporting facts", ["Daniel picked up the apple.", "Mary went to the bedroom.",
                                "Daniel went to the hallway.", "Mary travelled to the office."],
     "Where is the apple?", "hallway"),
    ("2 two supporting facts", ["John grabbed the milk there.", "John moved to the garden.",
                                "Sandra went to the kitchen."], "Where is the milk?", "garden"),
    ("3 three supporting facts", ["Mary went to the bedroom.", "Mary took the football there.",
                                  "Mary went to the kitchen.", "Mary dropped the football.",
                                  "Mary went to the garden."],
     "Where was the football before the kitchen?", "bedroom"),
    ("4 two argument relations", ["The office is west of the garden.",
                                  "The kitchen is north of the garden."],
     "What is the garden east of?", "office"),
    ("4 two argument relations", ["The bedroom is south of the hallway.",
                                  "The bathroom is east of the hallway."],
     "What is south of the hallway?", "bedroom"),
    ("5 three argument relations", ["Fred went to the park.", "Jeff picked up the apple there.",
                                     "Jeff gave the apple to Fred."],
     "Who gave the apple to Fred?", "Jeff"),
    ("5 three argument relations", ["Bill took the milk there.", "Bill handed the milk to Mary."],
     "What did Bill give to Mary?", "milk"),
    ("6 yes/no questions", ["Sandra went to the office.", "Daniel moved to the bathroom."],
     "Is Sandra in the office?", "yes"),
    ("6 yes/no questions", ["John journeyed to the garden.", "John went to the hallway."],
     "Is John in the garden?", "no"),
    ("7 counting", ["Mary got the apple there.", "Mary picked up the milk there."],
     "How many objects is Mary carrying?", "two"),
    ("8 lists", ["Daniel took the football there.", "Daniel grabbed the apple there."],
     "What is Daniel carrying?", "football,apple"),
    ("9 simple negation", ["Sandra is not in the kitchen.", "John is in the office."],
     "Is Sandra in the kitchen?", "no"),
    ("10 indefinite knowledge", ["Mary is either in the school or the park."],
     "Is Mary in the park?", "maybe"),
    ("11 basic coreference", ["Daniel went to the kitchen.", "Afterwards he moved to the garden."],
     "Where is Daniel?", "garden"),
    ("12 conjunction", ["Mary and John went to the bathroom.", "Sandra and Daniel moved to the office."],
     "Where is John?", "bathroom"),
    ("13 compound coreference", ["Sandra and Mary went to the hallway.",
                                 "Then they journeyed to the bedroom."], "Where is Mary?", "bedroom"),
    ("14 time reasoning", ["Yesterday Fred went to the park.", "This morning Fred went to the school."],
     "Where was Fred before the school?", "park"),
    ("15 basic deduction", ["Cats are afraid of wolves.", "Emily is a cat."],
     "What is Emily afraid of?", "wolf"),
    ("16 basic induction", ["Lily is a swan.", "Lily is white.", "Greg is a swan."],
     "What color is Greg?", "white"),
    ("18 size reasoning", ["The box is bigger than the chocolate.",
                           "The suitcase is bigger than the box."],
     "Does the chocolate fit in the suitcase?", "yes"),
    ("19 path finding", ["The kitchen is east of the garden.", "The office is north of the kitchen.",
                         "The hallway is west of the garden.", "The bedroom is south of the hallway."],
     "How do you go from the garden to the office?", "e,n"),
    ("19 path finding", ["The bathroom is south of the bedroom.", "The hallway is east of the bathroom.",
                         "The garden is north of the kitchen.", "The kitchen is west of the bedroom."],
     "How do you go from the hallway to the bedroom?", "w,n"),
    ("20 agent's motivations", ["Yann is hungry."], "Where will yann go?", "kitchen"),
]


@pytest.fixture(scope="module")
def shipped():
    return answering.load_model()


@pytest.mark.parametrize("kind, facts, question, expected", STORIES,
                         ids=[f"{s[0]}: {s[2]}" for s in STORIES])
def test_shipped_model_answers(shipped, kind, facts, question, expected):
    assert answering.answer(shipped, facts, question).answer == expected


@pytest.mark.parametrize("facts, question", [
    (["sandra journeyed to the office", "daniel moved to the bathroom",
      "then sandra went to the garden", "daniel travelled to the hallway"], "where is sandra"),
    (["Sandra journeyed to the office!", "Daniel moved to the bathroom...",
      "Then Sandra went to the garden!", "Daniel travelled to the hallway;"], "Where is Sandra ?"),
    (["SANDRA JOURNEYED TO THE OFFICE.", "DANIEL MOVED TO THE BATHROOM.",
      "THEN SANDRA WENT TO THE GARDEN.", "DANIEL TRAVELLED TO THE HALLWAY."], "WHERE IS SANDRA?!"),
], ids=["lower case, no marks", "other marks", "upper case"])
def test_the_shipped_model_reads_a_story_typed_any_way(shipped, facts, question):
    assert answering.answer(shipped, facts, question).answer == "garden"


@pytest.mark.parametrize("later", [
    "Then Sandra went to the garden.", "Afterwards Sandra went to the garden.",
    "Later on, Sandra went to the garden.", "After a while, Sandra went to the garden.",
    "Subsequently, Sandra went to the garden.", "Sandra then went to the garden."])
def test_the_shipped_model_reads_a_move_told_after_a_sequence_word(shipped, later):
    # bAbI says "Then" before pronouns alone; the model before read these as no news of
    # Sandra (docs/everyday-english.md, ninth session).
    facts = ["Sandra journeyed to the office.", "Daniel moved to the bathroom.", later,
             "Daniel travelled to the hallway."]
    assert answering.answer(shipped, facts, "Where is Sandra?").answer == "garden"


@pytest.mark.parametrize("arrays", [False, True], ids=["torch", "numpy"])
def test_the_shipped_model_finds_a_person_told_of_only_in_the_first_of_10000_facts(arrays):
    # The near-closed gates of the 9,999 facts after the first once added up to the gate
    # competition's cap and shut it out (gate 0.001, "unknown"); gates under
    # COMPETITION_MASS_FLOOR add nothing to those sums (docs/long-memories.md).
    people, rooms = ["Mary", "John", "Sandra", "Daniel"], ["kitchen", "garden", "office",
                                                          "hallway", "bedroom", "bathroom"]
    facts = ["Chloe cycled to the school."] + [
        f"{people[i % 4]} {('went', 'moved', 'travelled', 'journeyed')[i // 4 % 4]} to the "
        f"{rooms[i * 7 % 6]}." for i in range(9999)]
    found = answering.answer(answering.load_model(arrays=arrays), facts, "Where is Chloe?")
    assert found.answer == "school" and found.chosen()[0] == 0


def test_the_stories_cover_at_least_ten_task_types():
    assert len({kind for kind, *_ in STORIES}) >= 10


def test_the_shipped_model_is_checked_against_its_recorded_checksums(tmp_path):
    import shutil

    from askme.dmn.checkpoint import load_checkpoint
    from askme.errors import AskmeError
    from askme.paths import shipped_model_dir

    copy = tmp_path / "models"
    shutil.copytree(shipped_model_dir(), copy)
    load_checkpoint(copy, checksums_required=True)
    with open(copy / "tokenizer.model", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(AskmeError, match="tokenizer.model: does not match its recorded checksum"):
        load_checkpoint(copy, checksums_required=True)


BABI_EN = Path(__file__).resolve().parents[2] / "shared" / "babi" / "en"


@pytest.mark.skipif(not BABI_EN.is_dir(), reason="needs the bAbI copy beside the checkout")
def test_eval_json_of_the_shipped_model_is_what_it_was(capsys):
    """Refactoring must not change an answer: `askme eval --json` on the bAbI test, byte for
    byte as it was recorded (tests/fixtures/shipped_eval.json)."""
    from askme.cli import main

    assert main(["eval", "--json", "--data", str(BABI_EN)]) == 0
    recorded = (Path(__file__).parent / "fixtures" / "shipped_eval.json").read_text()
    assert capsys.readouterr().out == recorded


# Issue 32's table: what a new user typed and asked, each its own memory, every row right
# (the laptop by askme's rule for a place no fact names: models/everyday/README.md).
EVERYDAY_ROWS = [
    ("Tom flew to Paris. Anna drove to Berlin.", ["Where is Tom?", "Where is Anna?"],
     ["Paris", "Berlin"]),
    ("The cat is in the box.", ["Where is the cat?"], ["box"]),
    ("Mary went to the kitchen.", ["Where is John?"], ["unknown"]),
    ("Mary went to the kitchen.", ["What is the capital of France?"], ["unknown"]),
    ("Alice went to the library.", ["where is alice"], ["library"]),
    ("Alice went to the library. Bob took the laptop there. Alice travelled to the cafe.",
     ["Where is the laptop?"], ["unknown"]),
    # One thing in one place: its slot reader counts generated stories' neighbours too.
    ("The pen is on the shelf.", ["Where is the pen?"], ["shelf"]),
    ("Anna put the pen on the shelf.", ["Where is the pen?"], ["shelf"]),
    # Names and places in letters beyond ASCII, accents typed precomposed or after the letter
    ("Zoë walked to the café. José went to the garden.", ["Where is Zoë?", "where is josé"],
     ["café", "garden"]),
    ("Chloe\u0301 drove to Malmö.", ["Where is Chloe\u0301?"], ["Malmö"]),
    # Places of two words the model never read together
    ("Mary went to the meeting room. John went to the train station.",
     ["Where is Mary?", "Where is John?"], ["meeting room", "train station"]),
    # A thing described by a word the model knows as no entity ("red"): still a thing
    ("Mary picked up the red ball. Mary went to the garden. Sue grabbed the blue cup.",
     ["Where is the ball?", "What is Sue holding?"], ["garden", "cup"]),
    # Having told as a state, the perfect, "a" and "his": read as the training stories tell
    ("Sue has the umbrella.", ["What is Sue holding?", "Where is the umbrella?"],
     ["umbrella", "unknown"]),
    ("Sandra has just gone to the kitchen. Bob has got his keys. Bob went to his office.",
     ["Where is Sandra?", "What is Bob carrying?", "Where is Bob?"], ["kitchen", "keys", "office"]),
    ("Ann and Raj drove to the lake. Then they walked to a bakery.", ["Where is Raj?"],
     ["bakery"]),
    # A verb of giving it never read; a place after "took a train to"
    ("Tom lent his bike to Ana. Nina took a train to Oslo.",
     ["What did Tom give to Ana?", "Who received the bike?", "Where is Nina?"],
     ["bike", "Ana", "Oslo"]),
    # Giving with two objects; "into" after a verb of motion; "by plane" after the place
    ("Ava gave Mia a present. Liam is in the kitchen. Liam walked into the garden. "
     "Ben went to Rome by plane. Tom moved to Berlin last year.",
     ["Who gave Mia the present?", "Where is Liam?", "Where is Ben?", "Where is Tom?"],
     ["Ava", "garden", "Rome", "Berlin"]),
    # Deduction's kinds of animal beyond bAbI's four, and its fears told other ways
    ("Cats are afraid of dogs. Gertrude is a sheep. Tom is a cat.", ["What is Tom afraid of?"],
     ["dog"]),
    ("Mice are scared of owls. Dogs fear cats. Rex is a dog. Squeak is a mouse.",
     ["What does Rex fear?", "What is Squeak scared of?"], ["cat", "owl"]),
    # A place told without an article; a pronoun opening a fact; a journey by bus
    ("Nina is at the gym. Nina went home. Omar walked to the bank. Afterwards he took the bus "
     "to Oslo.", ["Where is Nina?", "Where is Omar?"], ["home", "Oslo"]),
    # A relative named with a possessive; "he" after the fact before
    ("My sister went to the gym. Dad is in the garage. Then he went to the kitchen.",
     ["Where is my sister?", "Where is Dad?"], ["gym", "kitchen"]),
    # A day before or after the fact, a word of sequence after it
    ("Omar travelled to Cairo on Monday. On Tuesday he flew to Nairobi. Tim went to the "
     "cinema. Tim went home afterwards.", ["Where is Omar?", "Where is Tim?"],
     ["Nairobi", "home"]),
    # A question asked of a person (no task asks who went somewhere), answered with a place
    ("Anna went to the gym. Tom gave the ball to Anna.", ["Who went to the gym?"], ["unknown"]),
    # Emoji, in a fact and after a question mark (read as if not there)
    ("Zoe went to the cafe \U0001f3e0. Sam \u2764\ufe0f went to the gym \U0001f4aa\U0001f3fd.",
     ["Where is Zoe? \U0001f914", "Where is Sam?"], ["cafe", "gym"]),
    # A question of yes or no that no training task asks (the model said a place)
    ("Ken took the ball. Ken went to the garden.", ["Does Ken have the ball?",
                                                     "Is Ken in the garden?"], ["unknown", "yes"]),
    # Clauses opening with any verb in the past; carrying; why, closing a fact
    ("Hannah woke up early, jogged to the park and sat on a bench. Ben carried the ball to "
     "the garage. Felix travelled to Prague for a conference.",
     ["Where is Hannah?", "Where is the ball?", "Where is Felix?"], ["park", "garage", "Prague"]),
    # A pronoun after bAbI's own time words
    ("This morning Julie went to the cinema. This afternoon she went to the office.",
     ["Where was Julie before the office?"], ["cinema"]),
    # Leaving a place (not a thing put down); going on to a place; taking with a verb it
    # never read; taking at a place; going somewhere with a thing
    ("Vera grabbed the bag and the coat and left the house. Olga drove to Leeds and drove on "
     "to York.", ["How many objects is Vera carrying?", "Where is Olga?"], ["two", "York"]),
    ("Rita packed the laptop, said goodbye and flew to Rome. Julia picked up the cake at the "
     "shop and took it to the party.", ["Where is the laptop?", "Where is the cake?"],
     ["Rome", "party"]),
    ("Lena went to the beach with her camera.", ["Where is the camera?"], ["beach"]),
    # An animal that goes somewhere, asked of as a person is ("it" and "she" of it too)
    ("The dog is in the garden.", ["Is the dog in the garden?"], ["yes"]),
    ("The cat is not in the kitchen.", ["Is the cat in the kitchen?"], ["no"]),
    # In a thing of bAbI's (a box of its size task), as in a place
    ("The cat is not in the box. Tom is in the chest.", ["Is the cat in the box?",
                                                          "Where is Tom?"], ["no", "chest"]),
    ("The parrot flew to the attic. Then it ran into the hallway. The goat took the apple. "
     "Ann gave the ball to the horse. The horse ran to the barn.",
     ["Where is the parrot?", "What is the goat carrying?", "Is the horse in the barn?"],
     ["hallway", "apple", "yes"]),
    # Places of two or three capitalised words
    ("Ben is in London. Ben flew to New York. Ana moved to Los Angeles, then she drove to Salt "
     "Lake City.", ["Where is Ben?", "Where is Ana?", "Is Ana in Los Angeles?",
                    "Is Ben in Hong Kong?"], ["New York", "Salt Lake City", "no", "no"]),
    # Names of several words, titles with a full stop; going back to a city
    ("Dr. Jones is in the hospital. Anna Lee went to the park. Mr Brown drove to the station. "
     "Ben gave the book to John Smith. Ben went to Rome. Ben went back to Paris.",
     ["Where is Dr. Jones?", "Where is Anna Lee?", "Where is Anna?", "Where is Mr Brown?",
      "Who received the book?", "Where is Ben?"],
     ["hospital", "park", "park", "station", "John Smith", "Paris"]),
    # Whoever writes "I"; "my" before a thing; leaving for a place; going somewhere to do
    # something
    ("I took my umbrella. I went to the office.", ["Where is my umbrella?", "Where am I?"],
     ["office", "office"]),
    ("Ann gave the book to me. I'm at the gym.", ["Who received the book?", "Am I at the gym?"],
     ["you", "yes"]),
    ("We went to the beach. We have the keys.", ["Where are we?", "What do we have?"],
     ["beach", "keys"]),
    ("Tom's mom went to the store. Tom went to the park.", ["Where is Tom's mom?",
                                                             "Where is Tom?"], ["store", "park"]),
    ("I put my keys in the drawer. I took my umbrella.", ["What am I carrying?",
                                                          "Where are my keys?"],
     ["umbrella", "drawer"]),
    ("Tom went to the gym yesterday. Tom went home today. Sue took Anna's umbrella. Sue went "
     "to the park. Tom's keys are in the car.",
     ["Where's Tom?", "Where is Anna's umbrella?", "Where are Tom's keys?"],
     ["home", "park", "car"]),
    ("Sue is with Tom in the garden. Ben went for a walk in the park. Ana is visiting her aunt "
     "in Leeds.", ["Where is Sue?", "Where is Ben?", "Where is Ana?"], ["garden", "park", "Leeds"]),
    ("Tom went home. Ann went to the gym.", ["Is Tom home?", "Is Ann home?"], ["yes", "no"]),
    # The way of one step, which no training story asks (the decoder said "office unknown")
    ("The park is north of the gym.", ["How do I get from the gym to the park?"], ["unknown"]),
    ("My keys are in my bag. Tom left for work. Anna went to the shop to buy milk.",
     ["Where are my keys?", "Where is Tom?", "Where is Anna?"], ["bag", "work", "shop"]),
    # A place English tells without an article, after a city
    ("Tom travelled to Mumbai. Then he went to school.", ["Where is Tom?"], ["school"]),
    # README.md's example
    ("Tom flew to Paris.\nMary went to the kitchen.", ["Where is Tom?", "Where is John?"],
     ["Paris", "unknown"]),
]


@pytest.mark.parametrize("typed, asked, right", EVERYDAY_ROWS,
                         ids=[f"{row[0]} {' '.join(row[1])}" for row in EVERYDAY_ROWS])
def test_the_everyday_model_answers_everyday_english_and_says_unknown(askme, typed, asked,
                                                                       right):
    result = askme("ask", "--stdin", "--model", "everyday", stdin="\n".join([typed, *asked]) + "\n")
    assert (result.returncode, result.out, result.err) == (0, "".join(f"{a}\n" for a in right), "")
