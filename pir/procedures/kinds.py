"""Entry kinds the core understands: fields of the kinds any incident may use, and the fields a
template step of a projected kind must define (so a force's template cannot break the registers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from pir.procedures.model import SCALES, FieldSpec, Step, Template

PERSON_CATEGORIES = (
    "KPW",
    "witness officer",
    "other police witness",
    "subject",  # the person who died or was injured, or was the subject of the police contact
    "police staff",
    "family member",
    "civilian witness",
    "suspect",  # someone under criminal investigation (a KPW may become one)
)
SEPARATION_OPTIONS = (
    "separated",
    "supervised together",
    "monitored on BWV",
    "IOPC present",
    "combination",
)
ACCOUNT_TYPES = ("basic facts", "personal initial account", "detailed account")
# Mandatory in law (a DSI matter; the complaints and conduct matters of the 2020 regulations),
# asked for by the IOPC's guidance (a police firearm discharged), or the force's own choice.
REFERRAL_TYPES = ("mandatory referral (DSI)", "mandatory referral (complaint or conduct matter)",
                  "referral the IOPC asks forces to make", "voluntary referral")
DSI_STATUSES = ("death", "serious injury", "injury", "none", "unknown")
# A DSI matter (death or serious injury; "unknown" until ruled out) must be referred.
DSI_MATTERS = ("death", "serious injury", "unknown")
DISCHARGE_CATEGORIES = ("conventional firearm", "less-lethal", "specialist munition")
INVESTIGATION_FORMS = ("independent (IOPC)", "directed (by the IOPC)", "local (by the force)",
                       "returned to the force to handle as it decides")


def _f(key: str, label: str, type_: str = "text", required: bool = False, **kw) -> FieldSpec:
    choices = tuple(kw.pop("choices", ()))
    return FieldSpec(key=key, label=label, type=type_, required=required, choices=choices, **kw)


NDM_FIELDS = (
    _f("decision", "Decision", "multiline", True),
    _f("information", "Information and intelligence (NDM)", "multiline"),
    _f("threat_risk", "Threat and risk assessment (NDM)", "multiline"),
    _f("powers_policy", "Powers and policy (NDM)", "multiline"),
    _f("options", "Options considered (NDM)", "multiline"),
    _f("options_rejected", "Options rejected and why", "multiline"),
    _f("action", "Action (NDM)", "multiline"),
    _f("review", "Review (NDM)", "multiline"),
    _f("rationale", "Rationale", "multiline", True),
)

# Kinds usable in any incident, outside the template's steps.
GLOBAL_KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "incident.opened": (
        _f("ref", "Incident / CAD reference", required=True),
        _f("template", "Procedure template", required=True),
        _f("template_version", "Template version", required=True),
        _f("title", "Title"),
        _f("scale", "Scale", "choice", True, choices=SCALES),
    ),
    "scale.changed": (
        _f("scale", "Scale", "choice", True, choices=SCALES),
        _f("rationale", "Rationale", "multiline", True),
    ),
    "note": (_f("text", "Note", "multiline", True),),
    # A run of entries written up afterwards from notes: every late entry in it carries the reason.
    "writeup.started": (
        _f("reason", "Why these entries are written up late", "multiline", True),
        _f("source", "Written up from", help="e.g. PNB 4512, pages 12-19"),
    ),
    "writeup.ended": (_f("note", "Note", "multiline"),),
    "incident.reopened": (_f("reason", "Why the incident is reopened", "multiline", True),),
    "decision": NDM_FIELDS,
    "export.recorded": (
        _f("format", "Format", "choice", True,
           choices=("pdf", "json", "pdf-redacted", "bundle")),
        _f("file_name", "File name", required=True),  # a bundle: its full PDF
        _f("file_sha256", "File SHA-256", required=True),
        _f("entries", "Entries covered", "number", True),
        _f("head_hash", "Chain head hash", required=True),
        _f("signer", "Signed by"),
        _f("certificate_sha256", "Signing certificate SHA-256"),
        # A bundle's other files, made from the same head.
        _f("redacted_file_name", "Redacted PDF file name"),
        _f("redacted_sha256", "Redacted PDF SHA-256"),
        _f("json_file_name", "JSON log file name"),
        _f("json_sha256", "JSON log SHA-256"),
    ),
    # A short code for the head, read out or written down outside the laptop (pir.receipts).
    "receipt.given": (
        _f("seq", "Entry the receipt is for", "number", True),
        _f("code", "Receipt code", required=True),
        _f("head_hash", "Chain head hash at that entry", required=True),
        _f("given_to", "Given to", help="e.g. control room, CAD 0412"),
    ),
    "correction": (),  # validated against the corrected entry's kind
    # Several devices, one incident (pir.share, pir.merge).
    "incident.joined": (
        _f("ref", "Incident reference", required=True),
        _f("template", "Template", required=True),
        _f("template_version", "Template version", required=True),
        _f("title", "Title"),
        _f("scale", "Scale", required=True),
        _f("opened_at", "Opened at (on the first device)", required=True),
        _f("origin_device", "Device it was shared from", required=True),
        _f("origin_device_name", "That device's name"),
        _f("origin_seq", "Entries on that device when shared", "number", True),
        _f("origin_head", "That device's head hash when shared", required=True),
        _f("device_name", "Name of the device that joined"),
    ),
    "chain.imported": (
        _f("device", "Device", required=True),
        _f("device_name", "Device name"),
        _f("entries", "Entries of that device's chain now held", "number", True),
        _f("head_hash", "Head hash of that chain", required=True),
        _f("file_sha256", "SHA-256 of the file imported", required=True),
        # Whether anything outside the file vouched for that chain when it was brought in, and
        # what: a signed PDF from a trusted certificate, a receipt or a confirmed head.
        _f("anchored", "Anchored when imported", "yesno", True),
        _f("anchor", "What vouched for it"),
    ),
    "conflict.resolved": (
        _f("entries", "Entries in conflict", required=True),
        _f("decision", "Decision", "multiline", True),
        _f("rationale", "Rationale", "multiline", True),
    ),
}

# Kinds only PIR itself writes (never a template step, never typed by a user).
WRITTEN_BY_PIR = frozenset({"incident.opened", "correction", "export.recorded", "receipt.given",
                            "integrity.acknowledged", "incident.joined", "chain.imported"})

# Kinds with projections: the fields (and types) a step of that kind must define.
CONTRACTS: dict[str, dict[str, str]] = {
    "scale.changed": {"scale": "choice", "rationale": "multiline"},
    "person.added": {"name": "text", "category": "choice", "cipher": "text"},
    "person.updated": {"person": "person"},
    "anticonferring.given": {"to": "people", "given_by": "text", "method": "choice"},
    "separation.decided": {"people": "people", "option": "choice", "rationale": "multiline"},
    "separation.ended": {"people": "people"},
    "welfare.check": {"people": "people"},
    "exhibit.seized": {"ref": "exhibit", "description": "text", "holder": "text"},
    "exhibit.transferred": {"ref": "exhibit", "from_holder": "text", "to_holder": "text"},
    "account.recorded": {"person": "person", "account_type": "choice"},
    "incident.declared": {"dsi_status": "choice", "incident_at": "datetime"},
    "dsi.status": {"status": "choice", "came_to_attention_at": "datetime",
                   "rationale": "multiline"},
    "discharge.recorded": {"officer": "person", "category": "choice", "weapon_type": "choice",
                           "discharged_at": "datetime", "place": "text", "intentional": "choice"},
    "referral.first_contact": {"contacted_at": "datetime", "contacted_by": "text"},
    "referral.made": {"referral": "choice", "referred_at": "datetime", "iopc_reference": "text"},
    "referral.not_required": {"decided_by": "text", "rationale": "multiline"},
    "iopc.attended": {"arrived_at": "datetime", "attendees": "text"},
    "iopc.mode_decided": {"mode": "choice", "communicated_by": "text"},
    "kpw.released": {"person": "person", "released_at": "datetime"},
    "decision": {"decision": "multiline", "rationale": "multiline"},
}

# Choice fields whose values the projections rely on: a template may not change these lists.
FIXED_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("person.added", "category"): PERSON_CATEGORIES,
    ("separation.decided", "option"): SEPARATION_OPTIONS,
    ("account.recorded", "account_type"): ACCOUNT_TYPES,
    ("scale.changed", "scale"): SCALES,
    ("incident.declared", "dsi_status"): DSI_STATUSES,
    ("dsi.status", "status"): DSI_STATUSES,
    ("discharge.recorded", "category"): DISCHARGE_CATEGORIES,
    ("referral.made", "referral"): REFERRAL_TYPES,
    ("iopc.mode_decided", "mode"): INVESTIGATION_FORMS,
}


REQUIREMENT_FIELD = _f("requirement", "Requirement this decision settles", "step",
                       help="The step of the procedure this decision is about (e.g. access to "
                            "BWV footage before accounts): the decision, with its rationale, "
                            "meets that requirement in the checklist and the PDF.")


def fields_of_kind(template: Template, kind: str) -> tuple[FieldSpec, ...]:
    """The fields of an entry outside the template's steps. A decision may name the step it
    settles: one of the template's requirements."""
    specs = GLOBAL_KINDS[kind]
    if kind != "decision":
        return specs
    return (*specs, with_requirement_choices(REQUIREMENT_FIELD, template.steps))


def with_requirement_choices(spec: FieldSpec, steps: Iterable[Step]) -> FieldSpec:
    """A "step" field offers every step that is a requirement somewhere, by id and title."""
    required = [s for s in steps if s.required_at]
    return replace(spec, choices=tuple(s.id for s in required),
                   labels=tuple(s.title for s in required))
