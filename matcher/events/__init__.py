"""Events: batch ranking of a participant list and a planner of 1:1 meetings.

``participants`` reads and validates the file (every bad row reported with its line), ``batch`` ranks
every participant against the others through the engine (texts encoded once), ``schedule`` plans the
rounds of meetings, ``exports`` writes CSV / XLSX / JSON / ICS as bytes.

A typical call chain (what the CLI and an HTTP route do)::

    event = read_participants(data, "participants.csv", CatalogueView.build(profiles, countries, links))
    ranking = rank_event(event, state=matcher.ranking.state, encoder=matcher.encoder, k=10)
    schedule = schedule_event(event, ranking, rounds=8)
    body = schedule_csv(schedule)
"""

from matcher.events.batch import EventRanking, RankedPartner, rank_event
from matcher.events.event_records import CatalogueView, Event, Participant
from matcher.events.participants import read_participants, read_participants_file
from matcher.events.schedule import Meeting, Schedule, plan_schedule, schedule_event

__all__ = ["CatalogueView", "Event", "EventRanking", "Meeting", "Participant", "RankedPartner", "Schedule",
           "plan_schedule", "rank_event", "read_participants", "read_participants_file", "schedule_event"]
