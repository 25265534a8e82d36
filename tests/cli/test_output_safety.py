"""`-o` (cli/common.py atomic_file): symlinks followed, devices and FIFOs written through, bad folders in words."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from lexkb.cli.common import atomic_file, write_atomically
from lexkb.errors import LexkbError


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    write_atomically(str(tmp_path / "link.txt"), b"new")
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "real.txt").read_text() == "new"


def test_a_device_and_a_fifo_are_written_through(tmp_path: Path) -> None:
    write_atomically(os.devnull, b"gone")
    assert Path(os.devnull).is_char_device()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomically(str(fifo), b"through")
    reader.join(5)
    assert got == [b"through"] and fifo.is_fifo()


def test_an_impossible_folder_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(LexkbError, match="cannot write .*does not exist"):
        write_atomically(str(tmp_path / "file" / "out.txt"), b"x")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    with pytest.raises(LexkbError, match="cannot write .*Permission denied"), atomic_file(str(locked / "o")):
        pass
