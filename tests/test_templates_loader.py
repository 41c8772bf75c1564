"""A broken template is refused with file, key and reason; an old one is reported, not refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pir.errors import TemplateError
from pir.procedures.loader import load_template, load_templates, templates_dir

GOOD = templates_dir() / "custody-dsi.toml"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = GOOD.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,key,reason", [
    ('id = "custody-dsi"', 'id = "Custody DSI!"', "id", "must be lower-case"),
    ("review_date = ", "review_date = \"soon\"\nx_review = ", "x_review", "unknown key"),
    ('kind = "person.added"', 'kind = "person.adde d"', ".kind", "must look like"),
    ('kind = "person.added"', 'kind = "incident.opened"', ".kind", "written by PIR"),
    ('type = "choice"', 'type = "colour"', ".type", "not a field type"),
    ('required_at = ["full"', 'required_at = ["everything"', ".required_at",
     "not a scale"),
    ('{ key = "cipher",', '{ key = "alias",', ".fields", "must have a field 'cipher'"),
    ('applies_when = { dsi_status = ["death"] }', 'applies_when = { weather = ["rain"] }',
     "pd.coroner.applies_when", "'weather' is not 'dsi_status' or a choice of the declaration"),
    ('applies_when = { dsi_status = ["death"] }', 'applies_when = { dsi_status = ["dead"] }',
     "pd.coroner.applies_when (dsi_status)", "'dead' is not one of: death, serious injury"),
    ('applies_when = { dsi_status = ["death"] }', 'applies_when = "death"',
     ".applies_when", "must be a table"),
    ('required_if = { dsi_status = ["serious injury"] }',
     'required_if = { location = ["serious injury"] }', "(serious_injury).required_if",
     "'location' is not a choice field of this step"),
    ('required_if = { dsi_status = ["serious injury"] }',
     'required_if = { dsi_status = ["grave"] }', "required_if (dsi_status)",
     "'grave' is not one of"),
    ("per_kpw = true\ndue_minutes = 120", "per_kpw = 1\ndue_minutes = 120", ".per_kpw",
     "must be true or false"),
])
def test_broken_template_names_file_key_and_reason(tmp_path, old, new, key, reason) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(TemplateError) as exc:
        load_template(path)
    err = exc.value
    assert err.file == str(path)
    assert key in err.key, err
    assert reason in err.reason, err


def test_syntax_error_gives_the_line(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('id = "x"\ntitle = \n', encoding="utf-8")
    with pytest.raises(TemplateError, match="line 2"):
        load_template(path)


def test_register_choices_cannot_be_changed(tmp_path) -> None:
    path = _variant(tmp_path, '"KPW", ', "")
    with pytest.raises(TemplateError, match="registers rely on these choices"):
        load_template(path)


def test_duplicate_template_ids_are_refused(tmp_path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(TemplateError, match="also used by"):
        load_templates(tmp_path)


def test_template_past_its_review_date_is_reported_not_refused(tmp_path) -> None:
    path = _variant(tmp_path, "review_date = 2027-09-30", "review_date = 2020-01-31")
    template = load_template(path)
    assert template.review_overdue(date(2026, 11, 25))
    assert not load_template(GOOD).review_overdue(date(2026, 11, 25))


def test_a_step_of_each_kpw_needs_a_person_field(tmp_path) -> None:
    text = GOOD.read_text(encoding="utf-8")
    block = text[text.index('id = "p2.transport"'):]
    block = block[:block.index("\n]\n")]
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(block, block.replace('type = "people"', 'type = "text"')),
                    encoding="utf-8")
    with pytest.raises(TemplateError, match="needs a person or people field"):
        load_template(path)


def test_a_decision_offers_every_requirement_of_the_template_by_title() -> None:
    template = load_template(GOOD)
    spec = template.step("p0.decision").field("requirement")
    assert spec.type == "step"
    required = [s for s in template.steps if s.required_at]
    assert spec.choices == tuple(s.id for s in required)
    assert spec.labels == tuple(s.title for s in required)
    assert "p2.material_access" in spec.choices and "p0.prevent" not in spec.choices
