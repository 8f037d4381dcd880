"""One review loop for every modality: a queue of items a model was unsure of, one item with the labels to offer
(the model's alternatives first), and a correction stored in the one ``reviews`` table and audited.

A :class:`ReviewStore` is that loop over one kind of item: :class:`TextReviews` (a task's classified rows;
:mod:`.reviews` keeps them), :class:`PhotoReviews` (inspected photos; :mod:`.inspection` keeps them) and
:class:`AlarmReviews` (open control-chart alarms: the one outcome offered is "acknowledged", stored on the alarm
as the Machines tab and ``sensor ack`` store it). The facade's ``assistant.reviews`` picks the store by queue
name: a text task, ``inspection`` or ``alarms``; each store names the role its correction needs. The UI's review
widget, the CLI's ``review`` commands and the REST review routes all go through it.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from shopfloor.assistant.pipeline import inspection, reviews
from shopfloor.assistant.pipeline.alarms import AlarmView
from shopfloor.assistant.pipeline.inspection import Alternative
from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.db import row_id

PHOTOS = "inspection"  # the queue name of inspected photos
ALARMS = "alarms"  # the queue name of open control-chart alarms
ACKNOWLEDGED = "acknowledged"  # the one outcome of an alarm's review


class ReviewItem(BaseModel):
    """One item waiting for (or shown to) a reviewer."""

    id: int
    queue: str = Field(..., description="The text task, or 'inspection' for photos.")
    subject: str = Field(..., description="The text, or the photo's file name.")
    label: str | None = Field(None, description="What the model said.")
    confidence: float | None = None
    source: str | None = None
    user: str | None = None
    created_at: str = ""
    alternatives: list[Alternative] = []
    anomaly_score: float | None = None
    anomalous: bool | None = None
    choices: list[str] = Field([], description="Labels to offer, the model's likeliest first (one item only).")
    photo: str | None = Field(None, description="The stored photo file (photos, one item only).")


class Correction(BaseModel):
    review_id: int | None = None
    id: int
    queue: str
    subject: str
    was: str | None = None
    label: str
    new_class: bool = False


class ReviewStore(Protocol):
    """The review loop over one kind of item; ``action`` is what a correction needs the user to be allowed."""

    action: Action

    def page(self, limit: int, offset: int) -> tuple[list[ReviewItem], int]: ...

    def item(self, item_id: int) -> ReviewItem: ...

    def correct(self, item_id: int, label: str, user: str, new_label: bool = False) -> Correction: ...


class TextReviews:
    """A task's classified rows (``task`` None: every task's)."""

    action = Action.correct_label

    def __init__(self, ws, components, task: str | None) -> None:
        self.ws, self.components, self.task = ws, components, task

    def page(self, limit: int, offset: int) -> tuple[list[ReviewItem], int]:
        rows, total = reviews.queue(self.ws, self.task, limit, offset)
        return [self._item(r) for r in rows], total

    def item(self, item_id: int) -> ReviewItem:
        r = reviews.row(self.ws, item_id)
        clf = self.components.classifier_for(r["task"])
        p = clf.predict([r["text"]], top=5)[0]
        return self._item(r).model_copy(update={"choices": list(dict.fromkeys(
            [p.label, *(a for a, _ in p.alternatives), *clf.labels]))})

    def correct(self, item_id: int, label: str, user: str, new_label: bool = False) -> Correction:
        c = reviews.correct(self.ws, item_id, label, user, self.components, new_label=new_label)
        return Correction(review_id=c["review_id"], id=c["id"], queue=c["task"], subject=c["text"], was=c["was"],
                          label=c["label"], new_class=new_label)

    @staticmethod
    def _item(r: dict) -> ReviewItem:
        return ReviewItem(id=r["id"], queue=r["task"], subject=r["text"], label=r["label"],
                          confidence=r["confidence"], source=r["source"], created_at=r["created_at"])


class PhotoReviews:
    """Inspected photos the image model was unsure of."""

    action = Action.correct_label

    def __init__(self, ws, components) -> None:
        self.ws, self.components = ws, components

    def page(self, limit: int, offset: int) -> tuple[list[ReviewItem], int]:
        rows, total = inspection.queue(self.ws, limit, offset)
        return [self._item(r, r["alternatives"]) for r in rows], total

    def item(self, item_id: int) -> ReviewItem:
        import json

        r = inspection.row(self.ws, item_id)
        alts = json.loads(r["alternatives"] or "[]")
        known = inspection.labels(self.components)
        first = [a["label"] for a in alts]
        order = first + [x for x in known if x not in first and x != r["label"]] + ([r["label"]] if r["label"] else [])
        return self._item(r, alts).model_copy(update={"choices": list(dict.fromkeys(order)), "photo": r["stored"]})

    def correct(self, item_id: int, label: str, user: str, new_label: bool = False) -> Correction:
        c = inspection.correct(self.ws, item_id, label, user, inspection.labels(self.components))
        return Correction(review_id=c.get("review_id"), id=c["id"], queue=PHOTOS, subject=c["image"], was=c["was"],
                          label=c["label"], new_class=c["new_class"])

    @staticmethod
    def _item(r: dict, alts: list[dict]) -> ReviewItem:
        anomalous = r.get("anomalous")
        return ReviewItem(id=r["id"], queue=PHOTOS, subject=r["image"], label=r["label"], confidence=r["confidence"],
                          source=r["source"], user=r.get("user"), created_at=r["created_at"],
                          alternatives=[Alternative(**a) for a in alts], anomaly_score=r.get("anomaly_score"),
                          anomalous=None if anomalous is None else bool(anomalous))


class AlarmReviews:
    """Open control-chart alarms, newest first; reviewing one acknowledges it (a technician may)."""

    action = Action.acknowledge_alarm

    def __init__(self, ws, components) -> None:
        self.ws, self.components = ws, components

    def page(self, limit: int, offset: int) -> tuple[list[ReviewItem], int]:
        from shopfloor.sensors.alarms import list_alarms

        with self.ws.connect() as conn:
            rows = list_alarms(conn, state="open")
        return [self._item(AlarmView(**a.to_dict())) for a in rows[offset:offset + limit]], len(rows)

    def item(self, item_id: int) -> ReviewItem:
        from shopfloor.sensors.alarms import get_alarm

        with self.ws.connect() as conn:
            alarm = AlarmView(**get_alarm(conn, item_id).to_dict())
        return self._item(alarm).model_copy(update={"choices": [ACKNOWLEDGED]})

    def correct(self, item_id: int, label: str, user: str, new_label: bool = False) -> Correction:
        from shopfloor.assistant.pipeline.alarms import acknowledge
        from shopfloor.errors import InputError

        if label.casefold() != ACKNOWLEDGED:
            raise InputError(f"an alarm's review is {ACKNOWLEDGED!r} (got {label!r}); what was done goes in a "
                             "work order or the acknowledgement note (Machines tab, `shopfloor sensor ack --note`)")
        a = acknowledge(self.ws, self.components, item_id, user)
        return Correction(id=a.id, queue=ALARMS, subject=self._subject(a), was="open", label=ACKNOWLEDGED)

    @staticmethod
    def _subject(a: AlarmView) -> str:
        return f"{a.machine_id} {a.sensor} too {a.direction} since {a.first_reading}: {a.description}"

    def _item(self, a: AlarmView) -> ReviewItem:
        return ReviewItem(id=a.id, queue=ALARMS, subject=self._subject(a), label=a.state, source=a.rule,
                          created_at=a.created_at or "")


class Reviews(Service):
    """``assistant.reviews``: the review queues of every modality (view: technician; correct: what the queue's
    store names: engineer for a label, technician for an alarm)."""

    def store(self, queue: str | None) -> ReviewStore:
        """The store of ``queue``: 'inspection' is the photos, 'alarms' the open alarms, anything else a text task
        (None: every task)."""
        if queue == PHOTOS:
            return PhotoReviews(self.ws, self.components)
        if queue == ALARMS:
            return AlarmReviews(self.ws, self.components)
        return TextReviews(self.ws, self.components, clean_text(queue) if queue else None)

    @requires(Action.view_reviews)
    def queues(self, *, user: User = DEFAULT_USER) -> list[str]:
        """The queue names: the text tasks, then 'inspection' and 'alarms'."""
        tasks = self.components.tasks()
        return tasks + [q for q in (PHOTOS, ALARMS) if q not in tasks]

    @requires(Action.view_reviews)
    def page(self, queue: str | None, limit: int = 20, offset: int = 0, *, user: User = DEFAULT_USER
             ) -> tuple[list[ReviewItem], int]:
        """One page of ``queue`` (least confident first) and how many wait in all."""
        return self.store(queue).page(max(1, min(int(limit), 500)), max(0, int(offset)))

    @requires(Action.view_reviews)
    def item(self, queue: str | None, item_id: int | str, *, user: User = DEFAULT_USER) -> ReviewItem:
        """One item with the labels to offer (and, for a photo, its stored file)."""
        return self.store(queue).item(row_id(item_id, "review item"))

    @requires(lambda self, queue, *args, **kwargs: self.store(queue).action)
    def correct(self, queue: str | None, item_id: int | str, label: str, new_label: bool = False, *,
                user: User = DEFAULT_USER) -> Correction:
        """Store the right label of one item (audited), if the user may do what the queue's store names
        (``correct_label``; an alarm: ``acknowledge_alarm``). A text task refuses a label it does not know unless
        ``new_label``; a photo's new class is taken (the next image retrain learns it); an alarm takes
        'acknowledged'."""
        return self.store(queue).correct(row_id(item_id, "review item"), clean_text(label or "").strip(), user.name,
                                         new_label)
