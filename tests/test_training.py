"""Training labels from the web app's interest messages (matcher.learning.training.replied_pairs)."""

from __future__ import annotations

from matcher.learning.training import replied_pairs
from matcher.store.web import Interest


def _msg(i: int, sender: str, recipient: str, reply_to: int | None = None) -> Interest:
    return Interest(id=i, sender_id=sender, recipient_id=recipient, reply_to=reply_to, message="m", actor="k",
                    created_at="2026-12-03T00:00:00Z")


def test_an_answered_interest_is_a_positive_pair_known_answers() -> None:
    french = {"FR-1", "FR-2"}
    msgs = [_msg(1, "FR-1", "GN-1"), _msg(2, "GN-1", "FR-1", reply_to=1),  # answered: positive
            _msg(3, "FR-2", "GN-2"),                                        # unanswered: nothing
            _msg(4, "GN-3", "FR-2"), _msg(5, "FR-2", "GN-3", reply_to=4),  # answered, foreign side first
            _msg(6, "FR-1", "FR-2"), _msg(7, "FR-2", "FR-1", reply_to=6),  # two French: not a model pair
            _msg(8, "FR-1", "GN-1", reply_to=2)]                            # a second reply: same pair once
    assert replied_pairs(msgs, french) == [("FR-1", "GN-1"), ("FR-2", "GN-3")]
    assert replied_pairs([_msg(9, "GN-1", "FR-1", reply_to=99)], french) == []  # reply to a message not read


def test_the_latest_decision_on_a_pair_is_its_label(tmp_path) -> None:
    """``decision_pairs``: one labelled row per pair, its latest decision's (accepted 1, rejected 0); other
    statuses give none."""
    import numpy as np
    from profiles_fixture import write_tiny_data

    from matcher.learning.training import decision_pairs
    from matcher.ranking.loading import build_state
    from matcher.store.sqlite import SQLiteStore

    store = SQLiteStore.open(tmp_path / "t.db", write_tiny_data(tmp_path / "data"))
    store.add_decision("FR-COM-00001", "GN-100", "rejected", "first look", "staff-test")
    store.add_decision("FR-COM-00001", "GN-100", "accepted", "signed", "staff-test")  # the latest: accepted
    store.add_decision("FR-COM-00002", "GN-400", "rejected", "no", "staff-test")
    store.add_decision("FR-COM-00003", "GN-100", "contacted", "", "staff-test")
    assert store.latest_decisions() == {("FR-COM-00001", "GN-100"): "accepted", ("FR-COM-00002", "GN-400"): "rejected",
                                       ("FR-COM-00003", "GN-100"): "contacted"}
    state, _ = build_state(store, encoder=None, ranker=None)
    X, y, g = decision_pairs(store, state)
    a = state.arrays
    assert sorted(zip(g.tolist(), y.tolist(), strict=True)) == sorted(
        [(a.row("FR-COM-00001"), 1), (a.row("FR-COM-00002"), 0)])
    assert X.shape[0] == 2 and np.isfinite(X).any(axis=1).all()
