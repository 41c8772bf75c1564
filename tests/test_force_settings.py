"""Force settings: the force's name, its policies and its retention rule come from force.toml (the
user's copy over the shipped, neutral one), never from the procedure templates' text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pir import force
from pir.force import (
    ForceSettings,
    ForceSettingsError,
    load_force_settings,
    shipped_settings_path,
)
from pir.procedures.loader import load_templates, resources_dir

EXAMPLE = resources_dir() / "force.example.toml"


@pytest.fixture(autouse=True)
def no_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(force.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(force, "user_settings_path", lambda: tmp_path / "data" / "force.toml")


def test_the_shipped_settings_name_no_force_and_cite_no_force_policy():
    settings = load_force_settings()
    assert settings.source == str(shipped_settings_path())
    assert settings == ForceSettings()
    for template_id in load_templates():
        assert settings.policies_for(template_id) == ()


def test_templates_keep_only_national_references():
    for template in load_templates().values():
        text = template.policy_reference
        assert "Kent" not in text and "O12" not in text and "R06" not in text, template.id
        assert "IOPC Statutory guidance" in text and "Regulations 2020" in text
    templates = load_templates()
    for template_id in ("custody-dsi", "pursuit-dsi"):
        # Deaths and serious injuries: the national post-incident procedure, not a firearms
        # policy of one force.
        text = templates[template_id].policy_reference
        assert "the national post-incident procedure for deaths and serious injuries" in text
        assert "Armed policing" not in text


def test_the_example_carries_the_force_policies_taken_out_of_the_templates():
    settings = load_force_settings(EXAMPLE)
    assert settings.name == "Kent Police"
    assert settings.policies_for("firearms-discharge") == (
        "Kent Police policy O12 Post Incident Procedure",)
    assert settings.policies_for("less-lethal-discharge") == (
        "Kent Police policy O12 Post Incident Procedure",)
    assert settings.policies_for("pursuit-dsi") == (
        "Kent Police policy R06 Police Pursuits (vehicles failing to stop)",)
    assert settings.policies_for("custody-dsi") == ()
    assert settings.retention_text() == ("Kent Police records retention schedule (Management "
                                         "of Police Information, group 1); review 6 years "
                                         "after closure")


def test_the_users_file_wins_over_the_shipped_one(tmp_path: Path):
    user = tmp_path / "data" / "force.toml"
    user.parent.mkdir()
    user.write_text('[force]\nname = "Gwent Police"\npolicy_references = ["GP PIP 3"]\n',
                    encoding="utf-8")
    settings = load_force_settings()
    assert settings.name == "Gwent Police" and settings.source == str(user)
    assert settings.policies_for("custody-dsi") == ("GP PIP 3",)


@pytest.mark.parametrize(("text", "key", "reason"), [
    ('[force]\nnmae = "Kent"\n', "force.nmae", "unknown key"),
    ('[force]\nname = 7\n', "force.name", "must be one line of text"),
    ('[force]\npolicy_references = "O12"\n', "force.policy_references",
     "must be a list of non-empty text"),
    ('[procedures.firearms-dischage]\npolicy_references = ["O12"]\n',
     "procedures.firearms-dischage", "there is no procedure template 'firearms-dischage'"),
    ('[retention]\nreview_after_years = 0\n', "retention.review_after_years",
     "must be a whole number of years"),
    ('[force\nname = "x"\n', "(syntax)", "line 1"),
    ('[police]\nname = "x"\n', "police", "unknown key"),
])
def test_a_broken_file_is_refused_naming_the_file_the_key_and_the_reason(tmp_path: Path, text,
                                                                         key, reason):
    path = tmp_path / "force.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ForceSettingsError) as caught:
        load_force_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: ")
    assert reason in message
    assert caught.value.file == str(path) and caught.value.key == key


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "force.toml"
    path.write_bytes(b'[force]\nname = "Heddlu \xff"\n')
    with pytest.raises(ForceSettingsError, match="is not UTF-8 text"):
        load_force_settings(path)
