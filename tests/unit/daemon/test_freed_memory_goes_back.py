"""What a resync frees goes back to the operating system, not only to the C heap.

The daemon's resident memory is what an orchestrator's memory limit counts. Without the
trim, glibc keeps every page it ever used for answers already freed."""

from __future__ import annotations

from pathlib import Path

from controller.daemon._memory import can_release_freed_memory, release_freed_memory


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_the_pages_of_freed_answers_are_given_back_even_between_live_objects() -> None:
    assert can_release_freed_memory()  # the image is Debian's glibc, as this machine is
    # Answers of a few KiB (glibc's heap, not pymalloc's arenas or mmap), each followed by
    # a small object that stays: the freed space is holes, never the heap's top, so glibc
    # does not give it back by itself.
    answers, kept = [], []
    for index in range(12_000):
        answers.append(bytes(8192 - index % 7))
        kept.append(bytes(700 + index % 5))
    release_freed_memory()
    del answers
    before = resident_kib()

    released = release_freed_memory()

    after = resident_kib()
    assert released
    assert before - after > 30 * 1024, (before, after)  # of 94 MiB freed: 12,000 x 8 KiB
    assert len(kept) == 12_000
