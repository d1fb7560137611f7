"""The entries a build made, held on disk by offset (`scofeed.publish.spill`)."""

from __future__ import annotations

import os
import resource
import signal
from pathlib import Path

from scofeed.publish.spill import Spill


def _in_child(work: object) -> int:
    """Run `work()` in a forked child; its exit status (0: every assertion held)."""
    pid = os.fork()
    if pid == 0:
        try:
            work()  # type: ignore[operator]
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_entries_come_back_as_written_and_the_file_has_no_name(tmp_path: Path) -> None:
    spill = Spill(tmp_path)
    values = {
        f"{i:064x} https://example.org/{i}.html": (f"id{i}", "Минск «talks»", "<p>x</p>" * i, "")
        for i in range(300)
    }
    for key, value in values.items():
        spill.put(key, value)
    assert list(tmp_path.iterdir()) == []  # nothing a killed build could leave behind
    assert {key: spill.get(key) for key in values} == values
    assert spill.get("another key") is None and len(spill) == 300 and "another key" not in spill


def test_a_forked_worker_reads_the_parents_entries_and_never_writes_over_them(
    tmp_path: Path,
) -> None:
    spill = Spill(tmp_path)
    spill.put("a", ("first",))

    def worker() -> None:
        assert spill.get("a") == ("first",)
        spill.put("b", ("made in the worker",))  # kept by the worker, not written
        assert spill.get("b") == ("made in the worker",)

    assert _in_child(worker) == 0
    spill.put("c", ("the parent's next",))
    assert spill.get("a") == ("first",) and spill.get("c") == ("the parent's next",)
    assert "b" not in spill


def test_an_entry_that_cannot_be_written_stays_in_memory(tmp_path: Path) -> None:
    def full_disk() -> None:
        spill = Spill(tmp_path)
        spill.put("small", ("fits",))
        # The file may grow no further: the next write fails as on a full disk (EFBIG).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
        spill.put("big", ("x" * 10_000,))
        assert spill.get("big") == ("x" * 10_000,) and spill.get("small") == ("fits",)

    assert _in_child(full_disk) == 0


def test_without_a_folder_for_the_file_entries_stay_in_memory(tmp_path: Path) -> None:
    spill = Spill(tmp_path / "no such folder")
    spill.put("a", ("kept",))
    assert spill.get("a") == ("kept",) and not (tmp_path / "no such folder").exists()
