from director.core.errors import InvalidInput
from director.core.prompt import CameraSetup, PromptFields, diff_fields, diff_text

import pytest


def test_composed_prompt_reads_subject_first_and_skips_empty_fields():
    p = PromptFields(subject="a keeper", action="climbs", look="35mm film", negative="blurry")
    assert p.compose() == "a keeper, climbs, 35mm film"


def test_a_camera_replaces_the_shots_framing_but_keeps_the_rest():
    p = PromptFields(subject="a keeper", shot_size="wide shot", lens="24mm", lighting="dusk")
    close = CameraSetup(shot_size="close-up", lens="85mm")
    assert p.compose(close) == "a keeper, close-up, 85mm, dusk"
    assert p.compose(CameraSetup()) == p.compose()


def test_an_empty_prompt_is_refused_with_a_reason():
    with pytest.raises(InvalidInput, match="empty"):
        PromptFields(negative="only negative").validate()


def test_whitespace_is_normalised_and_unknown_fields_are_named():
    assert PromptFields.from_dict({"subject": "  two\n  words "}).subject == "two words"
    with pytest.raises(InvalidInput, match="colour"):
        PromptFields.from_dict({"colour": "red"})


def test_diff_names_only_changed_fields():
    a = PromptFields(subject="x", action="walks")
    b = a.with_changes(action="runs")
    assert diff_fields(a, b) == [("action", "walks", "runs")]
    assert "-action: walks" in diff_text(a, b) and "+action: runs" in diff_text(a, b)
