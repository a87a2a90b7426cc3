"""Closed classes of English words that askme's readers share: what makes a line a question
(askme.stories) and which words of a question name nobody (askme.dmn.entities); and what a
word is, to all of them and the tokenizer."""

import re

# A word is a run of letters of any alphabet ("Zoë", "café", "José"), with any combining
# accent typed after its letter: with ASCII letters alone, "Zoë" read as "Zo" and a piece the
# model never saw, and a question about her was answered with some other place.
WORD = re.compile(r"[^\W\d_]+(?:[\u0300-\u036f]+[^\W\d_]*)*")

QUESTION_WORDS = frozenset({"what", "where", "who", "whom", "whose", "which", "when", "why",
                            "how"})
AUXILIARIES = frozenset({"is", "are", "was", "were", "am", "do", "does", "did", "can", "could",
                         "will", "would", "shall", "should", "may", "might", "must", "has",
                         "have", "had"})
# Words that stand for a person or thing without naming one.
PRONOUNS = frozenset({"i", "me", "you", "we", "us", "he", "him", "she", "her", "they", "them",
                      "it", "someone", "somebody", "anyone", "anybody", "everyone", "nobody"})
# Words of time and place that stand where a place or a thing would ("in the garden now").
ADVERBS = frozenset({"now", "here", "there", "today", "tonight", "tomorrow", "yesterday",
                     "later", "again", "already", "still", "also", "too", "then"})
# A question asked as a request or a wish ("Tell me where Ken is.", "Do you know what Amy
# is holding?", "I wonder who has the ball"): a question, however it ends; "rest" is the
# question it asks, in the word order of a clause (askme.dmn.entities reads it as asked).
INDIRECT_QUESTION = re.compile(
    r"^\s*(?:please\s+)?(?:(?:do|can|could|would|will)\s+you\s+(?:please\s+)?"
    r"(?:tell\s+me|say|know)|(?:do\s+you\s+have\s+)?any\s+idea|tell\s+me|i\s+wonder"
    r"|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+know)\s*,?\s+"
    r"(?P<rest>(?:where|what|who|which|how)\b.*)$", re.IGNORECASE)
# Verbs that take a thing ("took the cup and the plate"): each thing of a list after one is
# a clause of its own, as bAbI tells one thing a fact.
HANDLING_VERBS = frozenset({
    "took", "takes", "got", "gets", "picked", "picks", "grabbed", "grabs", "collected",
    "fetched", "caught", "dropped", "drops", "put", "puts", "discarded", "placed", "gave",
    "gives", "handed", "hands", "passed", "passes", "lent", "sent", "offered", "brought",
    "threw", "tossed", "received", "packed", "bought", "borrowed"})
# Words that name a person by who they are to someone ("my sister", "with his friend").
RELATIVES = frozenset({
    "sister", "brother", "mother", "father", "mom", "mum", "dad", "mommy", "daddy",
    "wife", "husband", "son", "daughter", "aunt", "uncle", "cousin", "niece",
    "nephew", "grandma", "grandpa", "granny", "grandmother", "grandfather",
    "friend", "boss", "neighbour", "neighbor", "colleague", "roommate", "flatmate",
    "partner", "girlfriend", "boyfriend", "fiancee", "fiance", "teacher", "coach",
    "doctor", "baby", "sibling", "parent", "stepmother", "stepfather", "landlord"})
# Animals a story may tell of as it tells of people ("The dog ran to the garden."): the
# singular after "the" (EntityMap reads such an animal that moves as a person).
ANIMALS = frozenset({
    "cat", "dog", "mouse", "rabbit", "parrot", "hamster", "puppy", "kitten", "tortoise",
    "goldfish", "horse", "pony", "donkey", "cow", "pig", "goat", "sheep", "lamb", "duck",
    "goose", "hen", "chicken", "rooster", "bird", "owl", "fox", "wolf", "bear", "lion",
    "tiger", "elephant", "monkey", "squirrel", "frog", "turtle", "snake", "lizard", "fish",
    "deer", "hedgehog", "ferret", "canary", "budgie", "pet"})
# Rooms and buildings, which one leaves as one leaves a place ("left the house"): bAbI's
# "left" puts a thing down.
BUILDINGS = frozenset({
    "house", "flat", "apartment", "room", "office", "building", "school", "shop",
    "store", "hotel", "restaurant", "bar", "pub", "cafe", "station", "airport", "hospital",
    "library", "museum", "church", "gym", "party", "meeting", "club", "theatre", "theater",
    "cinema", "bank", "kitchen", "bedroom", "bathroom", "hallway", "hall", "garden", "garage",
    "classroom", "studio", "lab", "factory", "park", "beach", "city", "town", "village",
    "country", "island", "stadium", "market", "mall", "supermarket", "cellar", "attic",
    "basement", "study", "lounge", "lobby", "yard", "farm", "camp", "zoo", "class"})
# Words that stand for a thing told before ("Ali gave it to Zoe.", "carried them there").
THING_PRONOUNS = frozenset({"it", "them"})
# What takes a person somewhere ("took a train to Rome"): a journey, not a thing taken.
VEHICLES = frozenset({"train", "bus", "taxi", "cab", "plane", "flight", "ferry", "boat", "coach",
                      "tram"})
# Verbs that begin what a person did or what is so, in the past or present: after "and" or
# a comma they begin a clause of its own ("Ken went to the park and took the ball"), where
# other words go on the one before ("took the apple and the ball").
CLAUSE_VERBS = HANDLING_VERBS | frozenset({
    # moving
    "went", "goes", "go", "walked", "walks", "ran", "runs", "moved", "moves", "travelled",
    "traveled", "travels", "journeyed", "journeys", "headed", "heads", "hurried", "wandered",
    "drove", "drives", "cycled", "biked", "rushed", "strolled", "returned", "returns", "came",
    "comes", "arrived", "arrives", "flew", "flies", "sailed", "crept", "jumped", "dashed",
    "raced", "jogged", "marched", "swam", "sprinted", "made",
    # leaving and showing (the rest of taking, leaving and giving is HANDLING_VERBS)
    "left", "leaves", "showed", "sold",
    # being and having
    "is", "are", "was", "were", "has", "have", "had", "fears", "fear"})
# Past tenses of everyday verbs that end in no "-ed" and are in neither list above: with the
# regular ones (walked, carried), a clause after "and" or a comma may open with any of them
# ("woke up early, jogged to the park and sat on a bench").
IRREGULAR_PASTS = frozenset({
    "ate", "became", "began", "bit", "blew", "broke", "built", "chose", "cut",
    "did", "drank", "drew", "fed", "fell", "felt", "fought", "found", "forgot", "froze",
    "grew", "heard", "held", "hid", "hit", "hung", "kept", "knew", "lay", "led", "lost",
    "meant", "met", "paid", "rang", "rode", "rose", "sang", "sat", "saw", "said", "shook",
    "shut", "slept", "spent", "spoke", "stood", "stole", "swept", "taught", "thought", "told",
    "tore", "understood", "woke", "won", "wore", "wrote"})
# Words in "-ed" that are seldom a verb opening a clause: feelings and states said of
# someone ("was tired and bored") and nouns.
_NO_PASTS = frozenset({
    "tired", "bored", "scared", "excited", "worried", "pleased", "surprised", "interested",
    "married", "annoyed", "confused", "relaxed", "frightened", "amazed", "delighted",
    "exhausted", "embarrassed", "disappointed", "satisfied", "shocked", "thrilled",
    "ashamed", "naked", "wicked", "crooked", "beloved", "sacred", "hundred", "kindred",
    "hatred"})  # "bed", "red", "shed", "aged": four letters or fewer, never read as a past


def reads_as_past(word: str) -> bool:
    """Whether a lower-case word reads as a verb in the past tense: one of IRREGULAR_PASTS,
    or a word in "-ed" that is no feeling or noun ("carried", "stayed"; not "tired", "bread",
    "need", nor the name "Fred")."""
    if not word.islower():
        return False
    if word in IRREGULAR_PASTS:
        return True
    return (len(word) > 4 and word.endswith("ed") and word[-3] not in "ea"
            and word not in _NO_PASTS)


# Words that open a clause before its subject or verb and say when ("later", "this
# morning"): kept with the clause, the subject a clause leaves out goes after them.
CLAUSE_TIMES = re.compile(
    r"^(?:(?:a\s+bit\s+|a\s+little\s+|soon\s+|shortly\s+)?(?:later|afterwards|after\s+that)"
    r"|(?:soon|shortly|right)\s+after|last\s+night|tonight"
    r"|(?:after|before)\s+(?:lunch|dinner|breakfast|supper|work|school|class)"
    r"|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|next|then|after\s+this|yesterday|today|this\s+(?:morning|afternoon|evening)"
    r"|in\s+the\s+(?:morning|afternoon|evening))\b,?\s*", re.IGNORECASE)
