"""printfile.edit_unsigned (vectorised) gives the images of printfile.edit (the
engine's numeric-edited codec, one value at a time) for unsigned pictures."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.program.printfile import edit, edit_unsigned

PICTURES = ["ZZZ,ZZZ,ZZ9", "ZZ,ZZ9", "ZZ9", "ZZZ9", "9999/99/99", "ZZZ,ZZZ,ZZZ,ZZ9", "Z,ZZZ", "99,999", "9(4)", "ZZ/ZZ9",
            "ZZZZZZZZZZ9", ",ZZ9", "ZZ9,"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PICTURES), st.lists(st.integers(0, 10**13), min_size=1, max_size=40))
def test_same_images_as_the_codec(picture, values):
    v = np.array(values, np.int64)
    assert (edit_unsigned(v, picture) == edit(v, picture)).all()


def test_other_pictures_go_through_the_codec():
    v = np.array([0, 5, 1234])
    for pic in ("-ZZ9", "ZZ9CR", "9Z9", "ZZ.99"):
        assert (edit_unsigned(v, pic) == edit(v, pic)).all()
