"""The lexicon a trained model reads a user's words with (askme.training.lexicon): bAbI's,
its neighbour counts grown by generated stories, one lexicon for the data steps and the
model."""

import dataclasses
from pathlib import Path

import pytest

from askme.dmn.checkpoint import load_checkpoint
from askme.dmn.entities import READING, EntityMap, Lexicon
from askme.paths import model_folder
from askme.training.lexicon import babi_lexicon, counting_generated, stage_lexicon


def test_counting_generated_grows_the_neighbour_counts_once_and_nothing_else():
    babi = dataclasses.replace(load_checkpoint(model_folder("babi-1k")[0], arrays=True).lexicon,
                               reading=READING)
    counted = counting_generated(babi)
    # With bAbI's neighbours alone a thing on a shelf read as a place, the shelf as another.
    said = "Anna put the pen on the shelf."
    assert EntityMap(babi).rewrite(said) == "Mary put the kitchen on the bedroom."
    assert EntityMap(counted).rewrite(said) == "Mary put the apple on the kitchen."
    assert EntityMap(counted).rewrite("The keys are on the table.") == (
        "The apple are on the kitchen.")
    assert EntityMap(counted).rewrite("Tom flew to Paris.") == "Mary went to the kitchen."
    # The words the model knows, its verbs of motion and its questions stay bAbI's.
    assert (counted.words, counted.slots, counted.moves, counted.asked, counted.said) == (
        babi.words, babi.slots, babi.moves, babi.asked, babi.said)
    assert all(counted.contexts[f][w] >= n for f, c in babi.contexts.items() for w, n in c.items())
    assert counting_generated(counted) is counted  # a stage going on from one counts no more
    saved = counted.to_dict()
    assert saved["counts_generated"] and Lexicon.from_dict(saved) == counted
    assert "counts_generated" not in babi.to_dict()  # so babi-1k's fingerprint is as it was


def test_a_stage_lexicon_is_its_models_or_a_new_models_data_s_read_as_askme_reads(babi_dir):
    new = stage_lexicon(babi_dir, None)
    assert new.words == babi_lexicon(babi_dir).words and new.counts_generated
    going_on = stage_lexicon(babi_dir, model_folder("babi-1k")[0])
    babi_1k = load_checkpoint(model_folder("babi-1k")[0], arrays=True).lexicon
    assert (going_on.words, babi_1k.reading, going_on.reading) == (babi_1k.words, 1, READING)
    assert going_on.counts_generated


BABI_EN = Path(__file__).resolve().parents[2] / "shared" / "babi" / "en"


@pytest.mark.skipif(not BABI_EN.is_dir(), reason="needs the bAbI copy beside the checkout")
def test_the_everyday_recipe_gives_the_shipped_everyday_its_lexicon():
    # recipes/everyday.toml goes on from babi-1k; its first stages read no slots and keep
    # babi-1k's lexicon, so its slot-reading stages read as the model does.
    shipped = load_checkpoint(model_folder("everyday")[0], arrays=True).lexicon
    assert stage_lexicon(BABI_EN, model_folder("babi-1k")[0]) == shipped
