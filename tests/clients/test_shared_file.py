"""A CSV file shared in the DM with Rapport is imported all-or-nothing, once, with a report."""

from __future__ import annotations

from tests.clients.test_wire import stored


def _share(rapport, file_id: str, channel: str = "D1", event_id: str = "EvF1", retry: int | None = None):
    event = {
        "type": "file_shared",
        "file_id": file_id,
        "user_id": "U1",
        "channel_id": channel,
        "file": {"id": file_id},
        "event_ts": "1.1",
    }
    return rapport.send.event(event, event_id=event_id, retry_num=retry)


def test_a_shared_csv_is_imported_and_reported_in_the_dm(rapport):
    rapport.slack.add_file("F1", "clients.csv", b"name,country,contact\nImp One,DE,Anna Weber\nBeta KK,JP,\n")
    assert _share(rapport, "F1").status == 200
    [report] = rapport.slack.wait_for("chat.postMessage")
    assert report.args["channel"] == "D1" and "clients.csv" in report.args["text"]
    assert [c.name for c in stored(rapport)] == ["Beta KK", "Imp One"]
    assert _share(rapport, "F1", event_id="EvF1", retry=1).status == 200  # Slack's retry: nothing twice
    assert _share(rapport, "F1", event_id="EvF2").status == 200
    import time

    time.sleep(0.5)
    assert len(rapport.slack.calls_to("chat.postMessage")) == 1
    assert len(stored(rapport)) == 2


def test_a_bad_file_imports_nothing_and_says_why(rapport):
    rapport.slack.add_file("F2", "bad.csv", b"name,country\nGood Co,DE\nBad Co,Atlantis\n")
    _share(rapport, "F2")
    [report] = rapport.slack.wait_for("chat.postMessage")
    assert "Atlantis" in report.args["text"] and "Line 3" in report.args["text"]
    assert stored(rapport) == []


def test_files_elsewhere_or_not_csv_are_left_alone(rapport):
    rapport.slack.add_file("F3", "photo.png", b"\x89PNG", filetype="png")
    rapport.slack.add_file("F4", "clients.csv", b"name,country\nX,DE\n")
    _share(rapport, "F3")
    _share(rapport, "F4", channel="C1", event_id="EvF4")
    import time

    time.sleep(0.5)
    assert rapport.slack.calls_to("chat.postMessage") == []
    assert stored(rapport) == []
