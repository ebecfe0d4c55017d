"""The identifier generators: Zuora's shapes, unique across processes, increasing within one."""

from __future__ import annotations

import multiprocessing
import re

from refserver._basics import HexFulfillmentIds, UuidRequestIds

HEX32 = re.compile(r"^[0-9a-f]{32}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _ids_of_a_child(count: int) -> list[str]:
    ids = HexFulfillmentIds()
    return [ids.new_id() for _ in range(count)]


def test_fulfillment_ids_are_32_hex_and_increase_within_a_process() -> None:
    ids = HexFulfillmentIds()
    made = [ids.new_id() for _ in range(10_000)]
    assert all(HEX32.match(i) for i in made)
    assert made == sorted(made)  # appended to the primary-key index, never scattered
    assert len(set(made)) == len(made)
    assert len({i[:16] for i in made}) == 1  # one prefix per process


def test_forked_and_spawned_processes_never_share_an_id() -> None:
    mine = _ids_of_a_child(1000)
    theirs: list[str] = []
    for method in ("fork", "fork", "spawn", "spawn"):
        with multiprocessing.get_context(method).Pool(1) as pool:  # one process per batch
            theirs.extend(pool.apply(_ids_of_a_child, (1000,)))
    everything = mine + theirs
    assert len(set(everything)) == len(everything) == 5000
    assert len({i[:16] for i in everything}) == 5  # every process drew its own prefix


def test_request_ids_are_version_4_uuids() -> None:
    ids = UuidRequestIds()
    made = [ids.request_id() for _ in range(1000)]
    assert all(UUID.match(i) for i in made)
    assert len(set(made)) == 1000
    assert re.fullmatch(r"[0-9A-F]{16}", ids.process_id())
