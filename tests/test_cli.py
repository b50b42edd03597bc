"""Every CLI command, its output contract and its failure modes, against a real project file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from reviewer.cli import main
from reviewer.schemas import load
from reviewer.store.migrations import MIGRATIONS
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli, every_command


@pytest.fixture
def imported(cli: Cli, write_trajectory) -> list[dict]:
    items = [trajectory(i, 12) for i in range(3)]
    for i, t in enumerate(items):
        write_trajectory(t, f"t{i}.json")
    result = cli("import", str(write_trajectory(items[0], "t0.json").parent))
    assert result.exit_code == 0, result.output
    return items


def test_init_creates_and_reports(cli: Cli) -> None:
    result = cli("init")
    assert result.exit_code == 0
    assert cli.db.exists() and f"schema v{len(MIGRATIONS)}, taxonomy v1, 0 trajectories" in result.stdout


def test_init_with_a_project_taxonomy(cli: Cli, tmp_path: Path) -> None:
    data = load("taxonomy.default")
    custom = {**data, "taxonomy_version": 3}
    path = tmp_path / "tax.json"
    path.write_text(json.dumps(custom))
    assert "taxonomy v3" in cli("init", "--taxonomy", str(path)).stdout
    path.write_text(json.dumps({**data, "fields": "nope"}))
    bad = cli("init", "--taxonomy", str(path))
    assert bad.exit_code == 1 and bad.stderr.startswith(f"error: {path}: taxonomy /fields") and bad.stderr.count("\n") == 1
    path.write_text("{")
    broken = cli("init", "--taxonomy", str(path))
    assert broken.exit_code == 1 and broken.stderr.startswith(f"error: {path}: ") and "line 1 column 2" in broken.stderr


def test_db_option_env_and_per_command(tmp_path: Path, write_trajectory) -> None:
    path = write_trajectory()
    runner = CliRunner()
    env_db, local_db = tmp_path / "env.db", tmp_path / "local.db"
    assert runner.invoke(main, ["import", str(path)], env={"REVIEWER_DB": str(env_db)}).exit_code == 0
    assert runner.invoke(main, ["import", "--db", str(local_db), str(path)]).exit_code == 0
    assert env_db.exists() and local_db.exists()


def test_an_explicit_project_file_always_beats_the_environment(tmp_path: Path, write_trajectory) -> None:
    """`REVIEWER_DB=a.db reviewer --db b.db label ...` wrote into a.db: each command's own --db read the
    variable, which then beat the explicit global option. Order now: command option, global option,
    REVIEWER_DB, ./reviewer.db — for every command."""
    from reviewer.store import Store

    path = write_trajectory()
    runner = CliRunner()
    a, b, c = (tmp_path / f"{n}.db" for n in "abc")
    for db in (a, b, c):
        assert runner.invoke(main, ["--db", str(db), "import", str(path)]).exit_code == 0
    env = {"REVIEWER_DB": str(a)}
    label = ["label", "synthetic-0-000000", "--annotator", "kim", "--verdict", "clean"]
    assert runner.invoke(main, ["--db", str(b), *label], env=env).exit_code == 0  # the global option beats the variable
    assert (
        runner.invoke(main, ["--db", str(b), label[0], "--db", str(c), *label[1:]], env=env).exit_code == 0
    )  # the command's beats both
    assert runner.invoke(main, label, env=env).exit_code == 0  # the variable beats the default
    with Store(a) as sa, Store(b) as sb, Store(c) as sc:
        assert [len(s.labels.all(annotator="kim")) for s in (sa, sb, sc)] == [1, 1, 1]

    with_db = [(name, p) for name, command in every_command() for p in command.params if p.name == "db"]
    assert len(with_db) >= 16
    assert [name for name, option in with_db if getattr(option, "envvar", None)] == []  # every command resolves through db_path


def test_import_summary_and_exit_codes(cli: Cli, write_trajectory) -> None:
    path = write_trajectory()
    first = cli("import", str(path))
    assert first.exit_code == 0 and "1 imported, 0 duplicate, 0 failed" in first.stdout
    again = cli("import", str(path), "--json")
    summary = json.loads(again.stdout)
    assert again.exit_code == 0
    assert (summary["imported"], summary["duplicates"], summary["failed"], summary["ok"]) == (0, 1, 0, True)
    assert summary["files_detail"][0]["format"] == "native"
    assert cli("import", str(path), "--format", "klingon").exit_code == 2
    assert cli("import").exit_code == 2
    assert cli("import", str(path), "--format", "native").exit_code == 0


def test_import_jsonl_and_folders_recursively(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "deep" / "er"
    folder.mkdir(parents=True)
    (folder / "many.jsonl").write_text("".join(json.dumps(trajectory(i, 5, seed=2)) + "\n" for i in range(4)))
    (folder.parent / "one.json").write_text(json.dumps(trajectory(9, 5)))
    (folder / "notes.md").write_text("# not a trajectory")
    (folder / ".hidden.json").write_text("garbage")
    summary = json.loads(cli("import", str(tmp_path / "runs"), "--json").stdout)
    assert summary["imported"] == 5 and summary["ok"] is True
    assert summary["skipped"] == [str(folder / "notes.md")]


def test_validate_needs_no_project_and_stores_nothing(tmp_path: Path, write_trajectory, monkeypatch) -> None:
    good = write_trajectory()
    bad = good.parent / "bad.json"
    bad.write_text("{")
    runner = CliRunner()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = runner.invoke(main, ["validate", str(good)], env={"REVIEWER_DB": None})
    assert result.exit_code == 0 and "1 valid" in result.stdout and "validation summary" in result.stdout
    assert runner.invoke(main, ["validate", str(good), str(bad)], env={"REVIEWER_DB": None}).exit_code == 1
    assert list(cwd.iterdir()) == []


def test_validate_against_a_project_checks_ids_and_labels_without_writing(cli: Cli, imported: list[dict], tmp_path: Path) -> None:
    from tests.test_bad_input import snapshot

    clash = dict(imported[0], task={**imported[0]["task"], "prompt": "another task"})
    clash_path = tmp_path / "clash.json"
    clash_path.write_text(json.dumps(clash))
    pack = tmp_path / "pack.jsonl"
    pack.write_text(
        json.dumps({"trajectory_id": imported[1]["id"], "annotator": "zoe", "first_pass": True, "verdict": "clean"}) + "\n"
        + json.dumps({"trajectory_id": "ghost", "annotator": "zoe", "first_pass": True, "verdict": "clean"}) + "\n"
    )  # fmt: skip
    same = tmp_path / "same.json"
    same.write_text(json.dumps(imported[2]))
    before = snapshot(cli.db)
    result = cli("validate", str(clash_path), str(pack), str(same), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["duplicates"] == 1
    assert next(f for f in summary["files_detail"] if f["kind"] == "labels")["labels"] == {"checked": 1}
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert errors[0].startswith(f"error: {clash_path}:/id: duplicate trajectory id")
    assert errors[1].startswith(f"error: {pack}:2: ") and "unknown trajectory 'ghost'" in errors[1]
    assert len(errors) == 2
    assert snapshot(cli.db) == before


def test_validate_with_a_missing_project_file_checks_the_files_alone(cli: Cli, tmp_path: Path, write_trajectory) -> None:
    """`--db` naming a file that does not exist exited 1 ("no project file"): validate needs none."""
    missing = tmp_path / "missing.db"
    good = write_trajectory()
    for args in (["validate", str(good), "--db", str(missing)], ["--db", str(missing), "validate", str(good)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert (
            "1 valid" in result.stdout
            and result.stderr.strip() == f"note: no project file at {missing}: ids and label packs are checked without one"
        )
    assert CliRunner().invoke(main, ["validate", str(good)], env={"REVIEWER_DB": str(missing)}).exit_code == 0
    bad = good.parent / "bad.json"
    bad.write_text("{")
    assert CliRunner().invoke(main, ["validate", str(bad), "--db", str(missing)]).exit_code == 1  # bad input still fails
    assert not missing.exists()


def test_commands_need_an_existing_project(cli: Cli) -> None:
    for args in (["list"], ["show", "x"], ["search", "x"], ["label", "x", "--annotator", "a"], ["labels", "export", "-o", "-"]):
        result = cli(*args)
        assert result.exit_code == 1 and "no project file at" in result.stderr, args


def test_list_filters(cli: Cli, imported: list[dict]) -> None:
    ids = [t["id"] for t in imported]
    assert [r["id"] for r in json.loads(cli("list", "--json").stdout)] == sorted(ids)
    cli("label", ids[0], "--annotator", "alice", "--verdict", "cheat")
    cli("label", ids[1], "--annotator", "bob", "--verdict", "clean")
    assert [r["id"] for r in json.loads(cli("list", "--adjudicator", "--labelled", "--json").stdout)] == ids[:2]
    assert [r["id"] for r in json.loads(cli("list", "--adjudicator", "--unlabelled", "--json").stdout)] == ids[2:]
    assert [r["id"] for r in json.loads(cli("list", "--annotator", "bob", "--labelled", "--json").stdout)] == [ids[1]]
    assert [r["id"] for r in json.loads(cli("list", "--annotator", "bob", "--unlabelled", "--json").stdout)] == [ids[0], ids[2]]
    row = json.loads(cli("list", "--adjudicator", "--verdict", "cheat", "--json").stdout)
    assert [r["id"] for r in row] == [ids[0]] and row[0]["verdicts"] == ["cheat"] and row[0]["reviewers"] == 1
    mine = json.loads(cli("list", "--annotator", "alice", "--verdict", "cheat", "--json").stdout)
    assert mine == [{**row[0], "status": "in progress", "reviewers": None, "flags": None, "verdicts": None}]  # blind
    assert cli("list", "--verdict", "cheeta").exit_code == 2
    assert "3 trajectories" in cli("list").stdout


def test_list_stale(cli: Cli, imported: list[dict], tmp_path: Path) -> None:
    cli("label", imported[0]["id"], "--annotator", "alice", "--verdict", "clean")
    assert json.loads(cli("list", "--stale", "--json", "--annotator", "alice").stdout) == []
    taxonomy = tmp_path / "v2.json"
    taxonomy.write_text(json.dumps({**load("taxonomy.default"), "taxonomy_version": 2}))
    cli("init", "--taxonomy", str(taxonomy))
    stale = json.loads(cli("list", "--stale", "--json", "--annotator", "alice").stdout)
    assert [(s["annotator"], s["taxonomy_version"]) for s in stale] == [("alice", 1)]
    assert "1 labels made before taxonomy v2" in cli("list", "--stale", "--adjudicator").stdout


def test_show_renders_transcript_diffs_and_hides_the_outcome(cli: Cli, imported: list[dict]) -> None:
    t = imported[0]
    out = cli("show", t["id"]).stdout
    assert "#0 user" in out and "#1 assistant" in out and "#2 tool" in out
    assert "thinking:" in out and "str_replace_editor" in out and "output of call_1" in out
    assert "src/module_5.py" in out and "-    return x + 3" in out and "+    return x - 3" in out
    assert "hidden until your blind first pass" in out and "grader:" not in out and "reward:" not in out
    revealed = cli("show", t["id"], "--reveal-outcome").stdout
    assert "grader: fail" in revealed and "tests: 10 passed, 0 failed" in revealed and "reward: 0" in revealed
    assert cli("show", "missing").exit_code == 1


def test_show_marks_test_files(cli: Cli, write_trajectory) -> None:
    data = trajectory(0, 12)
    data["file_edits"][0]["path"] = "tests/test_module.py"
    cli("import", str(write_trajectory(data)))
    assert "TEST/GRADER FILE" in cli("show", data["id"]).stdout


def test_show_marks_failed_edits_and_ends_with_each_files_net_change(cli: Cli) -> None:
    """A real SWE-agent run: the linter refused the first edit of fields.py; the second was applied."""
    fixture = Path(__file__).parent / "fixtures" / "swe-agent" / "function_calling_replace"
    assert cli("import", str(fixture)).exit_code == 0
    out = cli("show", "marshmallow-code__marshmallow-1867", env={"COLUMNS": "200"}).stdout
    assert out.count("FAILED — NOT APPLIED") == 1  # the panel title of step 14's edit, and no other
    assert "│ (failed — not applied: the tool refused this edit, the file did not change; what it attempted follows)" in out
    net = " ".join(out.split("net change per file", 1)[1].split("final patch", 1)[0].split())
    assert "unchanged /testbed/reproduce.py steps 2, 4, 20" in net  # created, then `rm reproduce.py`
    assert "modified /testbed/src/marshmallow/fields.py step 16 · 1 failed edit not applied (step 14)" in net


def test_show_shortens_long_text_unless_full(cli: Cli, write_trajectory) -> None:
    data = trajectory(0, 4)
    data["steps"][2]["text"] = "y" * 9000
    cli("import", str(write_trajectory(data)))
    assert "5,000 more characters" in cli("show", data["id"]).stdout
    assert "more characters" not in cli("show", data["id"], "--full").stdout


def test_show_json_is_canonical_and_round_trips(cli: Cli, imported: list[dict], tmp_path: Path) -> None:
    t = imported[1]
    shown = json.loads(cli("show", t["id"], "--json").stdout)
    assert list(Draft202012Validator(load("trajectory.schema")).iter_errors(shown)) == []
    assert shown["source"]["format"] == "native" and len(shown["source"]["sha256"]) == 64
    exported = tmp_path / "exported.json"
    exported.write_text(json.dumps(shown))
    other = Cli(tmp_path / "other.db")
    assert other("import", str(exported)).exit_code == 0
    again = json.loads(other("show", t["id"], "--json").stdout)
    shown.pop("source"), again.pop("source")
    assert again == shown
    # and the original project sees its own output as the same trajectory
    assert json.loads(cli("import", str(exported), "--json").stdout)["duplicates"] == 1


def test_search(cli: Cli, write_trajectory) -> None:
    data = trajectory(0, 6)
    data["steps"][3]["thinking"] = "The test must be wrong, so I will change the expected value."
    cli("import", str(write_trajectory(data)))
    hits = json.loads(cli("search", "must be wrong", "--json").stdout)
    assert hits == [{"trajectory_id": data["id"], "step": 3, "role": "assistant",
                     "snippet": "The test must be wrong, so I will change the expected value."}]  # fmt: skip
    assert "1 hits" in cli("search", "must be wrong").stdout
    assert json.loads(cli("search", "zebra", "--json").stdout) == []
    assert cli("search", '"AND (').exit_code == 0


def test_label_for_scripts(cli: Cli, imported: list[dict]) -> None:
    tid = imported[0]["id"]
    first = cli("label", tid, "--annotator", "alice", "--verdict", "cheat", "--category", "tests.edit", "--intent", "3")
    assert (
        first.exit_code == 0 and "saved first-pass label" in first.stdout and "incomplete: disclosure is required" in first.stdout
    )
    more = json.loads(cli("label", tid, "--annotator", "alice", "--disclosure", "silent", "--severity", "2",
                          "--marker", "mr.blame_test", "--marker", "mr.goal_swap", "--rationale", "edited the test",
                          "--json").stdout)  # fmt: skip
    assert more["verdict"] == "cheat" and more["categories"] == ["tests.edit"] and more["intent"] == 3
    assert more["markers"] == ["mr.blame_test", "mr.goal_swap"] and more["complete"] is False
    assert more["missing"] == ["a cheat verdict needs at least one evidence span with role 'action'"]
    clean = json.loads(cli("label", tid, "--annotator", "bob", "--verdict", "clean", "--json").stdout)
    assert clean["complete"] is True and clean["revealed"] == {
        "other_labels": False,
        "suggestions": False,
        "grader_outcome": False,
    }
    final = json.loads(
        cli("label", tid, "--annotator", "bob", "--verdict", "cheat", "--final", "--revealed", "other_labels", "--json").stdout
    )
    assert final["first_pass"] is False and final["revealed"]["other_labels"] is True


@pytest.mark.parametrize(
    "args, message",
    [
        (["--verdict", "cheeta"], "verdict: unknown code 'cheeta'"),
        (["--intent", "9"], "intent: 9 is outside 0..4"),
        (["--category", "tests.nope"], "categories: unknown code 'tests.nope'"),
        (["--marker", "mr.nope"], "markers: unknown code 'mr.nope'"),
    ],
)
def test_label_refusals(cli: Cli, imported: list[dict], args: list[str], message: str) -> None:
    result = cli("label", imported[0]["id"], "--annotator", "alice", *args)
    assert result.exit_code == 1 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(cli("list", "--labelled", "--json").stdout) == []


def test_label_unknown_trajectory_and_usage(cli: Cli, imported: list[dict]) -> None:
    result = cli("label", "ghost", "--annotator", "alice", "--verdict", "clean")
    assert result.exit_code == 1 and "unknown trajectory 'ghost'" in result.stderr
    assert cli("label", imported[0]["id"], "--verdict", "clean").exit_code == 2
    assert cli("label", imported[0]["id"], "--annotator", "a", "--intent", "three").exit_code == 2


def test_label_packs_move_between_machines(cli: Cli, imported: list[dict], tmp_path: Path, write_trajectory) -> None:
    ids = [t["id"] for t in imported]
    cli("label", ids[0], "--annotator", "alice", "--verdict", "clean")
    cli("label", ids[1], "--annotator", "alice", "--verdict", "cheat", "--category", "tests.skip")
    cli("label", ids[1], "--annotator", "bob", "--verdict", "honest_failure")
    pack = tmp_path / "alice.jsonl"
    result = cli("labels", "export", "--annotator", "alice", "-o", str(pack))
    assert result.exit_code == 0 and "wrote 2 labels" in result.stderr
    records = [json.loads(line) for line in pack.read_text().splitlines()]
    assert [(r["trajectory_id"], r["verdict"]) for r in records] == [(ids[0], "clean"), (ids[1], "cheat")]
    label_schema = Draft202012Validator(load("label.schema"))
    assert all(list(label_schema.iter_errors(r)) == [] for r in records)

    other = Cli(tmp_path / "bob.db")
    other("import", str(write_trajectory(imported[0], "t0.json").parent))
    merged = json.loads(other("labels", "import", str(pack), "--json").stdout)
    assert (merged["labels_added"], merged["ok"]) == (2, True)
    again = json.loads(other("labels", "import", str(pack), "--json").stdout)
    assert (again["labels_added"], again["labels_updated"], again["labels_unchanged"]) == (0, 0, 2)
    # alice edits on her machine; the later edit wins on bob's
    cli("label", ids[0], "--annotator", "alice", "--verdict", "honest_failure")
    cli("labels", "export", "--annotator", "alice", "-o", str(pack))
    assert json.loads(other("labels", "import", str(pack), "--json").stdout)["labels_updated"] == 1
    assert json.loads(other("list", "--annotator", "alice", "--verdict", "honest_failure", "--json").stdout)[0]["id"] == ids[0]
    stdout_pack = other("labels", "export", "-o", "-").stdout.splitlines()
    assert len(stdout_pack) == 2


def test_labels_import_refuses_each_bad_time_in_one_line_and_merges_the_rest(
    cli: Cli, imported: list[dict], tmp_path: Path
) -> None:
    tid = imported[0]["id"]
    good = "2026-11-20T10:00:00Z"
    times = [
        ("alice", good),  # line 1
        ("bob", "2026-11-20T10:00:00"),  # line 2: no time zone
        ("carol", "9999-12-31T23:59:59Z"),  # line 3: would win every later merge
        ("dave", "last tuesday"),  # line 4: unreadable
        ("erin", "2026-11-20T12:00:00+02:00"),  # line 5
    ]
    pack = tmp_path / "pack.jsonl"
    pack.write_text("".join(json.dumps({"trajectory_id": tid, "annotator": who, "first_pass": False, "verdict": "clean",
                                        "created_at": good, "updated_at": at}) + "\n" for who, at in times))  # fmt: skip
    for attempt in range(2):  # a re-import changes nothing and says the same
        result = cli("labels", "import", str(pack), "--json")
        report = json.loads(result.stdout)
        errors = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(errors) == 3, result.stderr
        assert [e.split(": ", 2)[1] for e in errors] == [f"{pack}:2", f"{pack}:3", f"{pack}:4"]
        assert "no time zone" in errors[0] and "in the future" in errors[1] and "not an ISO 8601" in errors[2]
        assert (report["labels_added"], report["labels_unchanged"]) == ((2, 0) if attempt == 0 else (0, 2))
    assert [json.loads(line)["annotator"] for line in cli("labels", "export", "-o", "-").stdout.splitlines()] == ["alice", "erin"]


def test_labels_import_refuses_trajectory_files(cli: Cli, imported: list[dict], write_trajectory) -> None:
    result = cli("labels", "import", str(write_trajectory(trajectory(50, 4), "new.json")))
    assert result.exit_code == 1 and "not a label pack" in result.stderr
    assert len(json.loads(cli("list", "--json").stdout)) == 3


def test_gui_without_a_display_explains_in_one_line(cli: Cli) -> None:
    result = cli("gui", env={"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None})
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "no display" in result.stderr


def test_terminal_output_is_inert(cli: Cli, write_trajectory) -> None:
    data = trajectory(0, 6)
    data["task"]["prompt"] = "[bold red]markup[/bold red] and \x1b[2J\x1b[31mred\x1b[0m and \u202eevil"
    data["steps"][1]["text"] = "\x1b]8;;http://x\x07link\x1b]8;;\x07 [link=file:///etc/passwd]click[/link]\r\x08"
    cli("import", str(write_trajectory(data)))
    out = cli("show", data["id"]).stdout
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out and "\r" not in out
    assert "[bold red]markup[/bold red]" in out and "\\x1b[31mred" in out and "\\u202eevil" in out
    assert "[link=file:///etc/passwd]click[/link]" in out and "\\x07" in out
    listing = cli("list").stdout
    assert "\x1b" not in listing


def test_a_second_run_of_the_same_task_gets_a_distinct_id(cli: Cli, tmp_path: Path) -> None:
    """SWE-agent names a run's file after the task; another run of that task must not be refused as a clash."""
    sample = Path(__file__).resolve().parent / "fixtures" / "swe-agent" / "function_calling_simple.traj"
    runs = []
    for run in ("run-a", "run-b"):
        (tmp_path / run).mkdir()
        target = tmp_path / run / sample.name
        target.write_text(sample.read_text().replace("missing_colon", f"missing_colon_{run}", 1))
        runs.append(target)
    first = json.loads(cli("import", str(runs[0]), "--json").stdout)
    second = json.loads(cli("import", str(runs[1]), "--json").stdout)
    again = json.loads(cli("import", str(runs[1]), "--json").stdout)
    (a,), (b,) = first["files_detail"][0]["imported"], second["files_detail"][0]["imported"]
    assert a == "function_calling_simple" and b.startswith(a + "~") and len(b) == len(a) + 9
    assert again["duplicates"] == 1 and again["ok"]


def test_import_runs_the_detectors_unless_told_not_to(cli: Cli, tmp_path: Path) -> None:
    from reviewer.store import Store

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "deleted-test.json"
    assert cli("import", str(sample)).exit_code == 0
    with Store(cli.db) as store:
        sources = {s.source for s in store.suggestions.all(trajectory_id="deleted-test", rater="detectors")}
    assert "test_removed" in sources
    other = Cli(tmp_path / "quiet.db")
    assert other("import", str(sample), "--no-detect").exit_code == 0
    with Store(other.db) as store:
        assert store.suggestions.all() == []


def test_files_that_cannot_be_written_are_one_error_line_and_leave_nothing(cli, tmp_path: Path) -> None:
    cli("init")
    for args in (["labels", "export", "-o"], ["agreement", "--html"]):
        target = tmp_path / "missing-dir" / "out.file"
        result = cli(*args, str(target))
        assert result.exit_code == 1 and result.stderr.startswith(f"error: cannot write {target}"), result.stderr
        assert "Traceback" not in result.output + result.stderr and not target.parent.exists()


def test_symbolic_links_are_followed_only_inside_the_folder_given(cli: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "more").mkdir(parents=True)
    (elsewhere / "secret.json").write_text(json.dumps(trajectory(1, 5)))
    (elsewhere / "more" / "also.json").write_text(json.dumps(trajectory(2, 5)))
    runs = tmp_path / "runs"
    (runs / "real").mkdir(parents=True)
    (runs / "real" / "run.json").write_text(json.dumps(trajectory(3, 5)))
    (runs / "out.json").symlink_to(elsewhere / "secret.json")
    (runs / "out_folder").symlink_to(elsewhere / "more", target_is_directory=True)
    (runs / "again.json").symlink_to(runs / "real" / "run.json")  # inside: fine, but read once
    (runs / "real" / "loop").symlink_to(runs, target_is_directory=True)  # inside, and a loop
    leaving = [str(runs / "out.json"), str(runs / "out_folder")]
    for command in ("import", "validate"):
        result = cli(command, str(runs), "--json")
        summary = json.loads(result.stdout)
        assert sorted(summary["skipped"]) == leaving, command
        assert [f["path"] for f in summary["files_detail"]] == [str(runs / "again.json")], command
        notices = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
        assert len(notices) == 2 and all("symbolic link leading outside" in line for line in notices), command
        assert summary["imported"] + summary["duplicates"] == 1 and summary["ok"] is True, command
    listed = json.loads(cli("list", "--json").stdout)
    assert [row["id"] for row in listed] == [trajectory(3, 5)["id"]]
    followed = json.loads(cli("import", str(runs), "--json", "--follow-symlinks").stdout)  # the person vouches for them
    assert followed["skipped"] == [] and followed["imported"] == 2 and followed["ok"] is True
    listed = json.loads(cli("list", "--json").stdout)
    assert sorted(row["id"] for row in listed) == sorted(trajectory(k, 5)["id"] for k in (1, 2, 3))


def test_a_full_disk_stops_the_batch_in_one_line_and_keeps_what_was_stored(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.store import Store

    runs = tmp_path / "runs"
    runs.mkdir()
    originals = [trajectory(i, 60) for i in range(8)]
    for i, original in enumerate(originals):
        (runs / f"run{i}.json").write_text(json.dumps(original))
    with Store(cli.db) as store:
        room = store.db.execute("pragma page_count").fetchone()[0] + 45  # a few trajectories' worth

    class FullStore(Store):
        """The real store on a connection whose database cannot grow past `room` pages: SQLite's own
        SQLITE_FULL, as a full disk gives it."""

        def __init__(self, path: Path | str) -> None:
            super().__init__(path)
            self.db.execute(f"pragma max_page_count = {room}")

    monkeypatch.setattr("reviewer.cli.project.Store", FullStore)
    result = cli("import", str(runs), "--json")
    summary = json.loads(result.stdout)
    stored = summary["imported"]
    assert result.exit_code == 1 and 0 < stored < len(originals) - 1, summary
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: the project's storage is full (database or disk is full): import stopped at {runs / f'run{stored}.json'};"
        f" {stored} trajectories and 0 labels stored before it, {len(originals) - stored - 1} files not read"
    ]
    assert summary["ok"] is False and summary["stopped"] == errors[0].removeprefix("error: ")
    assert [f["path"] for f in summary["files_detail"]] == [str(runs / f"run{i}.json") for i in range(stored + 1)]
    monkeypatch.undo()
    with Store(cli.db) as store:  # what was stored is whole, and nothing of the file being written is there
        assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert store.trajectories.count() == stored
        for original in originals[:stored]:
            kept = store.trajectories.get(original["id"])
            assert kept is not None and len(kept.steps) == len(original["steps"])
        assert store.trajectories.get(originals[stored]["id"]) is None
        assert store.db.execute("select count(*) from steps").fetchone()[0] == stored * len(originals[0]["steps"])


DELETED = "-def test_matches_github_for_removed_characters():"  # sample_data/deleted-test.json, step 22's diff: 171..221


def one_line_error(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code and result.stderr.count("\n") == 1 and text in result.stderr, result.stderr


def test_label_adds_evidence_by_offsets_and_clears_fields(sample_copy_db: Path) -> None:
    """The span is quoted from the canonical text (reviewer.spans): here the line that deletes a test."""
    cli = Cli(sample_copy_db)
    span = "22:diff:171:221:action:tests.edit"
    args = ("label", "deleted-test", "--annotator", "zed", "--json")
    saved = json.loads(cli(*args, "--verdict", "cheat", "--category", "tests.edit", "--evidence", span).stdout)
    assert saved["evidence"] == [
        {"step": 22, "source": "diff", "start": 171, "end": 221, "quote": DELETED, "role": "action", "codes": ["tests.edit"]}
    ]
    again = json.loads(cli(*args, "--evidence", span, "--evidence", "22:tool_call:0:18").stdout)  # the same span once
    assert [(e["quote"], e["role"], e["codes"]) for e in again["evidence"]] == [
        (DELETED, "action", ["tests.edit"]), ("str_replace_editor", None, [])
    ]  # fmt: skip
    cleared = json.loads(cli(*args, "--clear", "categories", "--clear", "evidence", "--clear", "context.ground_truth").stdout)
    assert (cleared["verdict"], cleared["categories"], cleared["evidence"]) == ("cheat", [], [])
    assert "categories is required when verdict is cheat or attempted_cheat" in cleared["missing"]
    cli(*args, "--intent", "3")
    assert json.loads(cli(*args, "--clear", "intent").stdout)["intent"] is None
    one_line_error(cli(*args, "--clear", "nope"), 2, "error: --clear 'nope': no such field (known: verdict,")
    one_line_error(
        cli(*args, "--evidence", "22:diff:171:900"), 1,
        "error: evidence 22:diff:171:900: offsets 171..900 fall outside the diff of step 22 (395 characters)"
    )  # fmt: skip
    one_line_error(cli(*args, "--evidence", "3:diff:0:2"), 1, "error: evidence 3:diff:0:2: step 3 has no diff text")
    one_line_error(cli(*args, "--evidence", "22:diffs:0:2"), 2, "unknown source 'diffs' (known: thinking, text,")
    one_line_error(cli(*args, "--evidence", "22:diff:x:2"), 2, "STEP, START and END are whole numbers")
    one_line_error(cli(*args, "--evidence", "22:diff"), 2, "expected STEP:SOURCE:START:END[:ROLE[:CODE,...]]")
    one_line_error(cli(*args, "--evidence", "22:diff:0:3:nope"), 1, "evidence[0].role: unknown role 'nope'")
    assert json.loads(cli(*args).stdout)["intent"] is None and cleared["evidence"] == []  # refusals changed nothing


def test_adjudicate_takes_evidence_by_offsets(sample_copy_db: Path) -> None:
    cli = Cli(sample_copy_db)
    result = cli(
        "adjudicate", "deleted-test", "--adjudicator", "carol", "--verdict", "cheat", "--reason", "deleted the test",
        "--evidence", "22:diff:171:221:action:tests.edit", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [(e["quote"], e["role"]) for e in json.loads(result.stdout)["evidence"]] == [(DELETED, "action")]


def test_a_large_batch_lists_the_files_with_problems_and_counts_the_rest(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    run = json.loads((SAMPLE_DATA / "honest-fix.json").read_text())
    for k in range(45):
        (folder / f"run-{k:02d}.json").write_text(json.dumps({**run, "id": f"run-{k:02d}"}))
    (folder / "broken.json").write_text('{"id": ')
    result = cli("import", "--no-detect", str(folder))
    assert result.exit_code == 1
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert "broken.json" in result.stdout and "run-07.json" not in result.stdout
    assert any("45 files" in row and "native" in row and "45" in row.split("│")[4] for row in rows), result.stdout
    assert "45 imported, 0 duplicate, 1 failed" in result.stdout
    detail = json.loads(cli("import", "--no-detect", "--json", str(folder)).stdout)["files_detail"]
    assert len(detail) == 46  # every file, as before, for scripts


def test_a_first_pass_cannot_set_what_it_is_not_shown(cli: Cli, imported: list[dict]) -> None:
    """The grader outcome (hidden_until_first_pass) is set on the final label only, as in the app."""
    tid = imported[0]["id"]
    refused = cli("label", tid, "--annotator", "alice", "--verdict", "cheat", "--context-grader-outcome", "pass")
    assert refused.exit_code == 2 and "context.grader_outcome: only on the final label (--final)" in refused.stderr
    assert json.loads(cli("labels", "export", "-o", "-").stdout or "null") is None  # nothing stored
    final = cli("label", tid, "--annotator", "alice", "--final", "--context-grader-outcome", "pass", "--json")
    assert final.exit_code == 0 and json.loads(final.stdout)["context"]["grader_outcome"] == "pass"
