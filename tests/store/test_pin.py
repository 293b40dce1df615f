"""The admin PIN against an attacker: guesses made in parallel processes are counted one by one,
a PIN is not checked where its failure cannot be recorded, and guessable PINs are refused."""

from __future__ import annotations

import dataclasses
import multiprocessing

import pytest

from core.errors import FaceGateError, StoreError
from core.store import Store
from core.store.pin import FREE_TRIES, PinRefused, check_pin, hash_pin
from tests.fixtures import read_only

SPAWN = multiprocessing.get_context("spawn")


def _guess(url: str, start, results) -> None:
    with Store(url) as store:
        start.wait()
        try:
            check_pin(store, "000000", actor="racer")
        except PinRefused as exc:
            results.put(str(exc))


def test_parallel_wrong_guesses_are_evaluated_only_until_the_back_off_starts(any_db_url):
    with Store(any_db_url) as store:
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=_guess, args=(any_db_url, start, results)) for _ in range(8)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * len(workers)
    answers = [results.get(timeout=5) for _ in workers]
    evaluated = [a for a in answers if a.startswith("Wrong PIN")]
    assert len(evaluated) == FREE_TRIES and len(answers) - len(evaluated) == 8 - FREE_TRIES
    with Store(any_db_url) as store:
        assert store.pin_state().failures == FREE_TRIES
        assert [e.action for e in store.audit_log()].count("wrong admin PIN") == FREE_TRIES


def test_a_pin_is_not_checked_where_a_wrong_one_cannot_be_recorded(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'facegate.db'}"
    with Store(url) as store:
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    with read_only(home), Store.for_reading(url) as store:
        for pin in ("000000", "246813"):  # neither a wrong nor a right PIN gets an answer
            with pytest.raises(StoreError, match="cannot record"):
                check_pin(store, pin)
        assert store.pin_state().failures == 0


@pytest.mark.parametrize("weak", ["000000", "111111", "123456", "654321", "3456789", "98765432"])
def test_repeated_digits_and_straight_sequences_are_refused_as_pins(weak):
    with pytest.raises(FaceGateError, match="easy to guess"):
        hash_pin(weak)
