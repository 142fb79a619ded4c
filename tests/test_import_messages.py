"""An import's reader hands its batches over a pipe (``services/importing/read_ahead.py``):
whole or not at all, and the collector left as it was found."""

from __future__ import annotations

import gc
import os
import threading

import pytest

from balita_cli.services.importing import read_ahead


def test_a_message_larger_than_the_pipe_crosses_whole() -> None:
    read_end, write_end = os.pipe()
    message = {"batch": [{"body": "Balita " * 200_000, "n": n} for n in range(8)], "none": None}
    writer = threading.Thread(target=read_ahead.send, args=(write_end, message))
    writer.start()
    try:
        assert read_ahead.receive(read_end) == message  # ~11 MB through a 64 KB pipe
    finally:
        writer.join()
        os.close(write_end)
    assert read_ahead.receive(read_end) is None  # the other side is gone
    os.close(read_end)


def test_a_message_cut_short_is_none_not_half_a_message() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, (1000).to_bytes(8, "big") + b"\x80\x05")
    os.close(write_end)
    assert read_ahead.receive(read_end) is None
    os.close(read_end)


@pytest.mark.parametrize("collecting", [True, False])
def test_receiving_leaves_the_collector_as_it_found_it(collecting: bool) -> None:
    was = gc.isenabled()
    read_end, write_end = os.pipe()
    try:
        (gc.enable if collecting else gc.disable)()
        read_ahead.send(write_end, [[n] for n in range(1000)])
        assert read_ahead.receive(read_end) == [[n] for n in range(1000)]
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
        os.close(read_end)
        os.close(write_end)
