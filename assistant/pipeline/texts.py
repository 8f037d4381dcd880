"""Free text classified: the tasks, a batch of texts or a whole file labelled, the review queue, retraining.

``assistant.texts`` of the facade (:mod:`.reviews` does the work and owns the tables).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from shopfloor.assistant.pipeline import reviews
from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.errors import InputError, NotBuiltError


class Texts(Service):
    """The plant's text classifiers as a person uses them: label, review, correct, retrain."""

    @requires(Action.ask)
    def tasks(self, *, user: User = DEFAULT_USER) -> list[str]:
        """Names of the classification tasks: trained ones, then cold-start ones from the workspace taxonomy."""
        return self.components.tasks()

    @requires(Action.ask)
    def labels(self, task: str, *, user: User = DEFAULT_USER) -> list[str]:
        """The labels of one task ([] when there is no such task)."""
        try:
            return list(self.components.classifier_for(task).labels) if task else []
        except (NotBuiltError, InputError):
            return []

    @requires(Action.view_reviews)
    def cold_start_check(self, task: str, *, user: User = DEFAULT_USER) -> reviews.ColdStartCheck | None:
        """How a cold-start task's taxonomy guesses compare with the majority-class prior on its reviewed rows."""
        return reviews.cold_start_check(self.components, self.ws, task)

    @requires(Action.classify)
    def classify(self, texts: list[str], task: str | None = None, source: str = "api", *,
                       user: User = DEFAULT_USER) -> list[reviews.LabelledText]:
        """Label texts with one task; rows go to the classifications table (low confidence: the review queue);
        audited with the user and the number of rows."""
        return reviews.classify_texts(self.components, self.ws, [clean_text(t) for t in texts],
                                      task or self.ws.config.classifier.default_task, source, user.name)

    @requires(Action.classify)
    def classify_file(self, path: str | Path, text_col: str, task: str | None = None, output: str | Path | None = None,
                      progress: Callable | None = None, sheet: str | None = None, date_col: str | None = None, *,
                      user: User = DEFAULT_USER) -> reviews.ClassifyRun:
        """Label a CSV/XLSX file (``sheet``: which XLSX sheet); every row is kept for the task's trends, dated by
        ``date_col`` when given (``dated``: how many rows had a readable date); low-confidence rows are queued for
        review (audited).

        ``progress(rows_done, rows_estimated)`` is called after each chunk (the estimate counts lines, so
        multi-line cells can make it a little high).
        """
        return reviews.classify_file(self.components, self.ws, path, text_col,
                                     task or self.ws.config.classifier.default_task, output, user.name, progress,
                                     sheet, date_col)

    @requires(Action.retrain)
    def retrain(self, task: str, data: Sequence[str | Path] | None = None, text_col: str = "text",
                label_col: str | None = None, epochs: int | None = None, progress: Callable | None = None, *,
                user: User = DEFAULT_USER) -> reviews.RetrainReport:
        """Retrain ``task`` on its original data plus every reviewed correction (audited); ``progress(stage, done,
        total)`` as it trains."""
        return reviews.retrain(self.ws, task, user.name, data, text_col, label_col, epochs, progress)
