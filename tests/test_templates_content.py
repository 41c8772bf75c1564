"""The shipped procedure templates load and cover what the registers and the procedure need."""

from __future__ import annotations

from collections import defaultdict

import pytest

from pir.procedures.kinds import ACCOUNT_TYPES, NDM_FIELDS, PERSON_CATEGORIES, SEPARATION_OPTIONS
from pir.procedures.loader import load_templates, templates_dir
from pir.procedures.model import SCALES

EXPECTED = ("firearms-discharge", "less-lethal-discharge", "pursuit-dsi", "custody-dsi")

CONTRACTED_KINDS = (
    "person.added",
    "person.updated",
    "anticonferring.given",
    "separation.decided",
    "separation.ended",
    "welfare.check",
    "exhibit.seized",
    "exhibit.transferred",
    "account.recorded",
    "referral.made",
    "scale.changed",
    "incident.closed",
)

# Steps that must be done whatever the scale (DOMAIN.md: declare, scale, people, welfare,
# referral, closure).
DOCUMENTATION_KINDS = (
    "incident.declared",
    "scale.changed",
    "person.added",
    "welfare.officer",
    "referral.made",
    "incident.closed",
)


@pytest.fixture(scope="module")
def templates():
    return load_templates(templates_dir())


def test_all_four_templates_load(templates):
    for template_id in EXPECTED:
        assert template_id in templates, f"{template_id} did not load"
        template = templates[template_id]
        assert template.source.stem == template_id
        assert template.version == "1.0"
        assert template.incident_types
        assert template.policy_reference.strip()
        assert template.timing.referral_deadline == "end_of_next_day"


@pytest.mark.parametrize("template_id", EXPECTED)
def test_contracted_kinds_present(templates, template_id):
    template = templates[template_id]
    for kind in CONTRACTED_KINDS:
        assert template.steps_for_kind(kind), f"{template_id} has no {kind} step"


@pytest.mark.parametrize("template_id", EXPECTED)
def test_welfare_check_recurs(templates, template_id):
    template = templates[template_id]
    checks = template.steps_for_kind("welfare.check")
    assert all(step.recur_minutes for step in checks)
    assert checks[0].recur_minutes == template.timing.welfare_check_minutes
    spec = checks[0].field("next_due_minutes")
    assert spec is not None and spec.type == "number" and not spec.required


@pytest.mark.parametrize("template_id", EXPECTED)
def test_referral_carries_the_deadline(templates, template_id):
    referrals = templates[template_id].steps_for_kind("referral.made")
    assert any(step.referral_deadline for step in referrals)


@pytest.mark.parametrize("template_id", EXPECTED)
def test_fixed_choices(templates, template_id):
    template = templates[template_id]
    for step in template.steps_for_kind("person.added"):
        assert step.field("category").choices == PERSON_CATEGORIES
    for step in template.steps_for_kind("separation.decided"):
        assert step.field("option").choices == SEPARATION_OPTIONS
        assert step.field("rationale").required
    for step in template.steps_for_kind("account.recorded"):
        assert step.field("account_type").choices == ACCOUNT_TYPES
    for step in template.steps_for_kind("scale.changed"):
        assert step.field("scale").choices == SCALES
        assert step.field("rationale").required


@pytest.mark.parametrize("template_id", EXPECTED)
def test_decision_steps_carry_the_ndm(templates, template_id):
    for step in templates[template_id].steps_for_kind("decision"):
        got = {spec.key: spec.type for spec in step.fields}
        for spec in NDM_FIELDS:
            assert got.get(spec.key) == spec.type, f"{step.id}: NDM field {spec.key}"


def test_pursuit_has_pursuit_steps(templates):
    template = templates["pursuit-dsi"]
    kinds = {step.kind for step in template.steps}
    for kind in ("pursuit.recorded", "pursuit.driver", "pursuit.tactic", "pursuit.dra",
                 "pursuit.terminated", "collision.recorded", "testing.roadside_breath"):
        assert kind in kinds, f"pursuit-dsi lacks {kind}"
    tactic = template.steps_for_kind("pursuit.tactic")[0]
    assert set(tactic.field("tactic").choices) >= {
        "tactical pursuit and containment (TPAC)", "tactical contact", "tyre deflation"}
    for evidence in ("vehicle.recorded", "telematics.recorded", "audio.recorded",
                     "anpr.recorded", "air_support.recorded"):
        assert evidence in kinds, f"pursuit-dsi lacks {evidence}"


def test_only_pursuit_has_pursuit_steps(templates):
    for template_id in EXPECTED:
        if template_id == "pursuit-dsi":
            continue
        assert not [s for s in templates[template_id].steps if s.kind.startswith("pursuit.")]


@pytest.mark.parametrize("template_id", EXPECTED)
def test_scales_nest(templates, template_id):
    for step in templates[template_id].steps:
        if "documentation" in step.required_at:
            assert {"proportionate", "full"} <= step.required_at, step.id
        if "proportionate" in step.required_at:
            assert "full" in step.required_at, step.id


@pytest.mark.parametrize("template_id", EXPECTED)
def test_documentation_scale_keeps_the_core(templates, template_id):
    template = templates[template_id]
    for kind in DOCUMENTATION_KINDS:
        steps = template.steps_for_kind(kind)
        assert any("documentation" in s.required_at for s in steps), f"{template_id}: {kind}"


@pytest.mark.parametrize("template_id", EXPECTED)
def test_documentation_scale_asks_for_no_timed_welfare_checks(templates, template_id):
    """The light scale asks for officer welfare once, not a countdown of hourly checks."""
    for step in templates[template_id].steps_for_kind("welfare.check"):
        assert "documentation" not in step.required_at
        assert step.required_at == frozenset({"full", "proportionate"})


@pytest.mark.parametrize("template_id", EXPECTED)
def test_step_ids_unique_across_phases(templates, template_id):
    seen: dict[str, str] = {}
    for phase in templates[template_id].phases:
        for step in phase.steps:
            assert step.id not in seen, f"{step.id} in {seen.get(step.id)} and {phase.id}"
            seen[step.id] = phase.id


def test_shared_step_ids_mean_the_same_thing(templates):
    kinds: dict[str, set[str]] = defaultdict(set)
    for template_id in EXPECTED:
        for step in templates[template_id].steps:
            kinds[step.id].add(step.kind)
    clashes = {step_id: k for step_id, k in kinds.items() if len(k) > 1}
    assert not clashes


@pytest.mark.parametrize("template_id", EXPECTED)
def test_early_steps_have_due_times(templates, template_id):
    template = templates[template_id]
    assert template.steps_for_kind("anticonferring.given")[0].due_minutes == 15
    assert template.steps_for_kind("separation.decided")[0].due_minutes == 30


DEATH_STEPS = ("pd.coroner", "pd.identification", "pd.post_mortem", "pd.body_continuity",
               "pd.family", "pd.article2")


@pytest.mark.parametrize("template_id", EXPECTED)
def test_what_follows_a_death_is_asked_for_only_after_a_death_and_cites_its_source(
        templates, template_id):
    template = templates[template_id]
    for step_id in DEATH_STEPS:
        step = template.step(step_id)
        assert step is not None, step_id
        assert step.applies_when == (("dsi_status", ("death",)),)
        assert step.required_at == frozenset({"full", "proportionate", "documentation"})
        assert step.source, step_id
    assert "Article 2 ECHR" in template.step("pd.article2").source


@pytest.mark.parametrize("template_id", EXPECTED)
def test_the_serious_injury_definition_is_shown_and_recorded(templates, template_id):
    for step_id, key in (("p0.declare", "dsi_status"), ("p0.dsi_status", "status")):
        step = templates[template_id].step(step_id)
        spec = step.field("serious_injury")
        assert spec.required_if == ((key, ("serious injury",)),)
        assert spec.choices == ("a fracture", "a deep cut", "a deep laceration",
                                "damage to an internal organ", "impairment of a bodily function")
        assert "Police Reform Act 2002 s.29(1)" in (step.help + step.field(key).help)


@pytest.mark.parametrize("template_id", EXPECTED)
def test_referral_cites_the_law_and_first_contact_is_due_within_the_hour(templates,
                                                                        template_id):
    template = templates[template_id]
    assert template.step("p7.first_contact").due_minutes == 60
    referral = template.step("p7.referral")
    assert "Sch.3 paras 4, 13 and 14C" in referral.source and "as amended" in referral.source
    assert "as amended" in template.policy_reference
    assert referral.field("referral").choices[:3] == (
        "mandatory referral (DSI)", "mandatory referral (complaint or conduct matter)",
        "referral the IOPC asks forces to make")


@pytest.mark.parametrize("template_id", EXPECTED)
def test_prevent_is_asked_about_only_where_an_armed_deployment_can_raise_it(templates,
                                                                           template_id):
    step = templates[template_id].step("p0.prevent")
    mentions = "Prevent" in step.title + step.help + " ".join(step.field("concern_type").choices)
    assert mentions == (template_id == "firearms-discharge")


@pytest.mark.parametrize("template_id", EXPECTED)
def test_each_kpw_has_a_transport_record_and_every_weapon_carried(templates, template_id):
    for step_id in ("p2.transport", "p4.weapons_carried"):
        step = templates[template_id].step(step_id)
        assert step.per_kpw and step.due_minutes and step.source
    categories = templates[template_id].step("p1.person").field("category").choices
    assert {"subject", "police staff", "family member"} <= set(categories)


def test_no_pursuit_record_is_asked_for_when_nothing_was_pursued(templates):
    template = templates["pursuit-dsi"]
    pursued = ("pursuit_type", ("pursuit", "pursuit after failing to stop"))
    for step_id in ("pr.record", "pr.driver", "pr.tactic", "pr.dra", "pr.termination"):
        assert template.step(step_id).applies_when == (pursued,), step_id
    assert template.step("pr.not_pursued").applies_when == (
        ("pursuit_type", ("vehicle failing to stop, no pursuit",)),)
    assert template.step("pr.scene").applies_when == ()
    assert "considered and refused" in template.step("pr.tactic").field("decision").choices
