"""`reviewer db`: a backup that keeps what is still in the -wal, and a health check of the file."""

from __future__ import annotations

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
