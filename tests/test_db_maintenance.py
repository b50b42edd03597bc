"""`reviewer db`: a backup that keeps what is still in the -wal, and a health check of the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reviewer.model import Label, Trajectory
from reviewer.store import Store
from reviewer.store.migrations import MIGRATIONS
from reviewer.synthetic import trajectory
from tests.conftest import Cli, tid


def test_a_backup_holds_the_labels_another_connection_left_in_the_wal(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    with Store(db_path) as writer:
        writer.db.execute("pragma wal_autocheckpoint = 0")  # every label stays in the -wal
        for i in range(3):
            writer.trajectories.add(Trajectory.from_dict(trajectory(i, 4)))
            writer.labels.save(Label(tid(i), "alice", verdict="clean"), actor="alice", origin="test")
        assert Path(f"{db_path}-wal").stat().st_size > 0
        result = cli("db", "backup", str(dest))
        assert result.exit_code == 0, result.output
        assert not Path(f"{dest}-wal").exists()  # complete on its own
        with Store(dest) as copy:
            assert copy.schema_version == len(MIGRATIONS)
            assert len(copy.labels.all()) == 3 and copy.trajectories.count() == 3


def test_a_backup_replaces_an_existing_file_only_with_force(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    Store(db_path).close()
    dest = tmp_path / "copy.db"
    dest.write_bytes(b"keep me")
    refused = cli("db", "backup", str(dest))
    assert refused.exit_code == 1 and refused.stderr.strip() == f"error: {dest}: exists (--force replaces it)"
    assert dest.read_bytes() == b"keep me"
    assert cli("db", "backup", str(dest), "--force").exit_code == 0
    with Store(dest) as copy:
        assert copy.schema_version == len(MIGRATIONS)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def damaged(project: Path) -> Path:
    """The project with the second half of its trajectories table's root page inverted: the pointers
    to the rows there lead nowhere."""
    conn = sqlite3.connect(project)
    conn.execute("pragma wal_checkpoint(truncate)")  # every page in the file itself
    page_size = conn.execute("pragma page_size").fetchone()[0]
    root = conn.execute("select rootpage from sqlite_master where name = 'trajectories'").fetchone()[0]
    conn.close()
    data = bytearray(project.read_bytes())
    start = (root - 1) * page_size
    data[start + page_size // 2 : start + page_size] = bytes(b ^ 0xFF for b in data[start + page_size // 2 : start + page_size])
    project.write_bytes(bytes(data))
    return project


def test_a_damaged_file_gives_one_line_naming_it_not_a_traceback(sample_copy_db: Path) -> None:
    project = damaged(sample_copy_db)
    result = Cli(project)("list")  # catch_exceptions=False: a traceback would fail the test here
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {project}: database disk image is malformed")
    assert "reviewer db check" in result.stderr


def test_db_check_says_what_is_wrong_and_what_to_do(sample_copy_db: Path) -> None:
    sound = Cli(sample_copy_db)("db", "check")
    assert sound.exit_code == 0 and sound.stdout == f"{sample_copy_db}: ok (integrity and foreign keys)\n"
    project = damaged(sample_copy_db)
    result = Cli(project)("db", "check")
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and len(lines) >= 2 and result.stdout == ""
    assert all(line.startswith(f"error: {project}") for line in lines)
    assert "restore an earlier copy" in lines[-1]


def test_db_check_finds_rows_pointing_at_nothing(sample_copy_db: Path) -> None:
    conn = sqlite3.connect(sample_copy_db)  # foreign keys off, as in a file edited by hand
    conn.execute(
        "insert into suggestions(trajectory_id, rater, source, codes, evidence, explanation, created_at) values "
        "('gone', 'r', 's', '[]', '[]', '', '')"
    )
    conn.commit()
    conn.close()
    result = Cli(sample_copy_db)("db", "check")
    assert result.exit_code == 1
    assert "suggestions row" in result.stderr and "refers to a missing trajectories row" in result.stderr
