"""The taxonomy as data: codes, ranges and required-when rules decide validity and completeness."""

from __future__ import annotations

import copy
import json

import pytest

from reviewer.model import EvidenceSpan, Label
from reviewer.taxonomy import Taxonomy, TaxonomyError

TAX = Taxonomy.default()


def label(**kw) -> Label:
    return Label("t1", "alice", **kw)


def action_span() -> EvidenceSpan:
    return EvidenceSpan(3, "diff", 0, 4, "--- ", "action", ["tests.skip"])


def test_default_taxonomy_has_every_code_of_taxonomy_md() -> None:
    assert TAX.codes("verdict") == ["clean", "honest_failure", "cheat", "attempted_cheat", "borderline", "unreviewable"]
    assert len(TAX.codes("categories")) == 21 and "output.eq_overload" in TAX.codes("categories")
    assert len(TAX.codes("markers")) == 12 and "mr.claim_mismatch" in TAX.codes("markers")
    assert TAX.codes("disclosure") == ["silent", "code_comment_only", "disclosed_in_prose", "misrepresented"]
    assert TAX.fields["intent"]["min"] == 0 and TAX.fields["intent"]["max"] == 4
    assert set(TAX.fields["intent"]["anchors"]) == {"0", "1", "2", "3", "4"}
    assert TAX.evidence_roles == ["action", "intent", "rationalization", "disclosure", "diagnosis", "counter_evidence"]
    assert TAX.fields["context.grader_outcome"]["hidden_until_first_pass"] is True
    assert TAX.version == 1


def test_empty_label_is_storable_but_incomplete() -> None:
    empty = label()
    assert TAX.problems(empty) == []
    assert TAX.missing(empty) == ["verdict is required"]


def test_clean_verdict_alone_is_complete() -> None:
    assert TAX.is_complete(label(verdict="clean"))


def test_cheat_needs_categories_intent_disclosure_severity_and_an_action_span() -> None:
    missing = TAX.missing(label(verdict="cheat"))
    assert missing == [
        "categories is required when verdict is cheat or attempted_cheat",
        "intent is required when verdict is not clean or honest_failure or unreviewable",
        "disclosure is required when verdict is cheat or attempted_cheat or borderline",
        "severity is required when verdict is cheat or attempted_cheat",
        "a cheat verdict needs at least one evidence span with role 'action'",
    ]
    full = label(verdict="cheat", categories=["tests.skip"], intent=3, disclosure="silent", severity=2)
    assert TAX.missing(full) == ["a cheat verdict needs at least one evidence span with role 'action'"]
    full.evidence = [action_span()]
    assert TAX.is_complete(full)
    full.evidence[0].role = "intent"
    assert not TAX.is_complete(full)


def test_borderline_needs_a_reason() -> None:
    partial = label(verdict="borderline", intent=2, disclosure="silent")
    assert TAX.missing(partial) == ["borderline_reason is required when verdict is borderline"]
    partial.borderline_reason = "stop_vs_exit"
    assert TAX.is_complete(partial)


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({"verdict": "cheeta"}, "verdict: unknown code 'cheeta'"),
        ({"categories": ["tests.edit", "tests.nope"]}, "categories: unknown code 'tests.nope'"),
        ({"markers": ["mr.blame"]}, "markers: unknown code 'mr.blame'"),
        ({"intent": 5}, "intent: 5 is outside 0..4"),
        ({"intent": -1}, "intent: -1 is outside 0..4"),
        ({"severity": 4}, "severity: 4 is outside 0..3"),
        ({"confidence": 0}, "confidence: 0 is outside 1..5"),
        ({"motivated_reasoning": 6}, "motivated_reasoning: 6 is outside 1..5"),
        ({"intent": True}, "intent: True is outside 0..4"),
        ({"context": {"spec_status": "murky"}}, "context.spec_status: unknown code 'murky'"),
        ({"context": {"weather": "sunny"}}, "context: unknown field 'weather'"),
        ({"borderline_reason": "vibes"}, "borderline_reason: unknown code 'vibes'"),
    ],
)
def test_unknown_codes_and_out_of_range_values_are_refused(kw: dict, expected: str) -> None:
    problems = TAX.problems(label(**kw))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_evidence_codes_roles_and_sources_are_checked() -> None:
    bad = label(evidence=[EvidenceSpan(0, "screenshot", 0, 1, "x", "smoking_gun", ["tests.skip", "nope"])])
    assert TAX.problems(bad) == [
        "evidence[0].source: unknown source 'screenshot'",
        "evidence[0].role: unknown role 'smoking_gun'",
        "evidence[0].codes: unknown code 'nope'",
    ]


def test_a_broken_taxonomy_is_refused_with_its_place() -> None:
    data = copy.deepcopy(TAX.data)
    data["fields"][0]["kind"] = "dropdown"
    with pytest.raises(TaxonomyError, match=r"/fields/0/kind"):
        Taxonomy(data)
    del data["fields"][0]
    data["fields"] = [f for f in data["fields"] if f["name"] != "verdict"]
    with pytest.raises(TaxonomyError, match="no 'verdict' field"):
        Taxonomy(data)


def test_a_project_taxonomy_changes_the_rules() -> None:
    data = copy.deepcopy(TAX.data)
    data["taxonomy_version"] = 2
    verdict = next(f for f in data["fields"] if f["name"] == "verdict")
    verdict["options"].append({"code": "needs_expert", "label": "Needs expert"})
    custom = Taxonomy(data)
    assert custom.problems(label(verdict="needs_expert")) == []
    assert TAX.problems(label(verdict="needs_expert")) != []


def test_what_counts_as_cheating_and_how_serious_is_taxonomy_data() -> None:
    default = Taxonomy.default()
    assert default.cheat_verdicts == {"cheat", "attempted_cheat"}
    assert default.not_cheat_verdicts == {"clean", "honest_failure"}  # borderline and unreviewable say neither
    assert default.most_serious(["clean", "borderline", "honest_failure"]) == "borderline"
    assert default.most_serious(["unreviewable", "attempted_cheat", "cheat"]) == "cheat"
    data = json.loads(json.dumps(default.data))
    verdict = data["fields"][0]
    for option in verdict["options"]:  # a project taxonomy saved before the keys existed
        option.pop("cheating", None)
        option.pop("severity", None)
    verdict["options"].append({"code": "sabotage", "label": "Sabotage", "cheating": True})
    verdict["options"].append({"code": "gamed_grader", "label": "Gamed the grader", "cheating": True, "severity": 9})
    own = Taxonomy(data)
    assert own.cheat_verdicts == {"cheat", "attempted_cheat", "sabotage", "gamed_grader"}  # default codes keep their meaning
    assert own.most_serious(["cheat", "gamed_grader"]) == "gamed_grader"
    assert own.most_serious(["cheat", "sabotage"]) == "sabotage"  # the project's own code without a severity ranks first
    verdict["options"][0]["cheating"] = True  # a project may redefine a default code
    assert "clean" in Taxonomy(data).cheat_verdicts


def test_the_taxonomy_says_which_codes_a_detector_covers() -> None:
    """Data, not constants: exactly the codes some detector can suggest are marked `detector: true`;
    the rest are left to reviewers and the judge. A project taxonomy without the key keeps the default's."""
    from reviewer.assist.detectors import DETECTORS

    taxonomy = Taxonomy.default()
    assert taxonomy.detector_codes == {code for d in DETECTORS for code in d.codes}
    assert taxonomy.reviewer_codes == [
        "process.remove_feature", "process.measurement", "process.environment", "report.fabricated_defect",
        "report.misleading_comment", "mr.cherry_pick", "mr.drift", "mr.post_hoc",
    ]  # fmt: skip
    data = copy.deepcopy(taxonomy.data)
    for spec in data["fields"]:
        for option in spec.get("options", ()):
            option.pop("detector", None)
    spec = next(f for f in data["fields"] if f["name"] == "categories")
    spec["options"].append({"code": "own.thing", "label": "A project's own code"})
    old = Taxonomy(data)
    assert old.detector_codes == taxonomy.detector_codes and old.reviewer_codes == [
        *taxonomy.reviewer_codes[:5],
        "own.thing",
        *taxonomy.reviewer_codes[5:],
    ]


def with_fields(*fields: dict, condition: dict | None = None) -> dict:
    data = copy.deepcopy(TAX.data)
    data["fields"] += list(fields)
    if condition is not None:
        data["fields"][-1]["required_when"] = condition
    return data


def test_a_project_field_outside_the_label_is_refused_in_one_line(tmp_path, cli) -> None:
    """A label has no attribute for a new top-level field: once, every label of the project crashed
    (AttributeError in field_value) on `missing`; now the taxonomy is refused where it is loaded."""
    difficulty = {"name": "difficulty", "kind": "scale", "min": 0, "max": 3, "label": "Difficulty"}
    with pytest.raises(
        TaxonomyError, match=r"^taxonomy at /fields/16: labels have no field 'difficulty': name .* context\.difficulty"
    ):
        Taxonomy(with_fields(difficulty))
    with pytest.raises(TaxonomyError, match=r"field 'context.difficulty': a context field is single or text, not scale"):
        Taxonomy(with_fields({**difficulty, "name": "context.difficulty"}))
    team = {"name": "context.team", "kind": "single", "label": "Team", "options": [{"code": "a", "label": "A"}]}
    with pytest.raises(TaxonomyError, match=r"a condition names the field 'difficulty', which the taxonomy does not define"):
        Taxonomy(with_fields(team, condition={"field": "difficulty", "in": ["3"]}))
    path = tmp_path / "project-taxonomy.json"
    path.write_text(json.dumps(with_fields(difficulty)))
    result = cli("init", "--taxonomy", str(path))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and f"{path}: taxonomy at /fields/16" in result.stderr


def test_a_project_field_in_the_context_is_labelled_and_checked(tmp_path, cli, write_trajectory) -> None:
    team = {"name": "context.team", "kind": "single", "label": "Team", "options": [{"code": "a", "label": "A"}]}
    path = tmp_path / "project-taxonomy.json"
    path.write_text(json.dumps(with_fields(team, condition={"field": "verdict", "in": ["cheat"]})))
    assert cli("init", "--taxonomy", str(path)).exit_code == 0
    cli("import", str(write_trajectory()))
    trajectory_id = json.loads(cli("list", "--json").stdout)[0]["id"]
    saved = json.loads(cli("label", trajectory_id, "--annotator", "alice", "--verdict", "cheat", "--json").stdout)
    assert "context.team is required when verdict is cheat" in saved["missing"]
    saved = json.loads(cli("label", trajectory_id, "--annotator", "alice", "--context-team", "a", "--json").stdout)
    assert saved["context"]["team"] == "a" and not any("team" in m for m in saved["missing"])
