"""Request bodies of the REST API (validated; errors come back as 422 with the field named, never the input).

Every text field goes through :func:`shopfloor.assistant.safety.clean_text`: invalid Unicode (lone surrogates
from a client that sent broken UTF-8 escapes) becomes U+FFFD instead of a 500 further down.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, model_validator

from shopfloor.assistant.pipeline.results import (
    AlarmView,
    Alternative,
    AuditRow,
    ColdStartCheck,
    Document,
    FleetRow,
    InspectedPhoto,
    LabelledText,
    Machine,
    WorkOrder,
)
from shopfloor.assistant.safety import clean_text


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value  # before pydantic, which rejects lone surrogates


Text = Annotated[str, BeforeValidator(_clean)]


class DiagnoseRequest(BaseModel):
    log: Text = Field(..., min_length=1, max_length=100_000, description="The pasted maintenance log.")
    machine_id: Text | None = Field(None, max_length=100, description="Machine id, if known.")
    summary: bool = Field(True, description="Let the language model add a short summary.")
    photo_base64: str | None = Field(None, max_length=4_800_000,
                                     description="A photo of the part (base64 of the JPEG/PNG file, up to ~3.5 MB); "
                                     "its inspection is shown beside the diagnosis.")
    photo_name: Text | None = Field(None, max_length=200, description="The photo's file name.")


class ClassifyRequest(BaseModel):
    texts: list[Annotated[Text, Field(max_length=100_000)]] = Field(..., min_length=1, max_length=5000)
    task: Text | None = Field(None, max_length=100)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(..., max_length=100_000)


class AskRequest(BaseModel):
    question: Text = Field(..., min_length=1, max_length=100_000)
    history: list[Turn] = Field([], max_length=100)


class LoginRequest(BaseModel):
    name: Text = Field(..., max_length=200)
    password: Text = Field(..., max_length=1000)


class ContentPart(BaseModel):
    """One part of an OpenAI message; only text parts are read (images and audio are ignored)."""

    type: str = Field(..., max_length=50)
    text: Text | None = Field(None, max_length=100_000)


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Text | list[ContentPart] | None = ""

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model: Text = Field("shopfloor", max_length=200)
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=200)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=100_000)
    max_completion_tokens: int | None = Field(None, ge=1, le=100_000)
    stop: Text | list[Annotated[Text, Field(min_length=1, max_length=200)]] | None = None
    n: int = Field(1, ge=1, le=1, description="One choice per request.")
    temperature: float | None = Field(None, ge=0, le=2)
    sources_in_content: bool = Field(True, description="End a grounded answer's content with its sources list "
                                                       "(plain OpenAI clients show no extra fields).")

    def stops(self) -> list[str]:
        """The stop sequences (OpenAI allows up to 4)."""
        from shopfloor.errors import InputError

        out = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        out = [x for x in out if x]
        if len(out) > 4:
            raise InputError("at most 4 stop sequences")
        return out


# ---- responses (every REST endpoint declares its shape; /docs shows them) -------------------------------
class Health(BaseModel):
    status: Literal["ok"] = "ok"


class LoginResponse(BaseModel):
    token: str = Field(..., description="Bearer token; shown once, stored only as a hash.")
    role: str
    expires_in_s: int


class Me(BaseModel):
    name: str
    role: str


class Machines(BaseModel):
    machines: list[Machine]


class Fleet(BaseModel):
    machines: list[FleetRow] = Field(..., description="Alarming machines first, then by failure risk.")


AlarmOut = AlarmView  # the pipeline's own result type (pipeline/alarms.py)


class Alarms(BaseModel):
    alarms: list[AlarmOut]


class WorkOrderRequest(BaseModel):
    log: Text | None = Field(None, min_length=1, max_length=100_000, description="The technician's log: it is "
                             "diagnosed and the work order drafted from the diagnosis card (asset, failure mode, cited "
                             "cause and action).")
    machine_id: Text | None = Field(None, max_length=100, description="Machine id, if the log does not name it.")
    alarm_id: int | None = Field(None, ge=1, description="A control-chart alarm instead of a log: the work order is "
                                 "drafted from the alarm (machine, its signal's failure type, cited cause and action).")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.log is None) == (self.alarm_id is None):
            raise ValueError("give either log or alarm_id")
        return self


class WorkOrderList(BaseModel):
    workorders: list[WorkOrder] = Field(..., description="Newest first, each with its delivery state.")


class AcknowledgeRequest(BaseModel):
    note: Text = Field("", max_length=500, description="What was done or decided (optional).")


PredictionOut = LabelledText  # the pipeline's own result type (pipeline/reviews.py)


class ClassifyResponse(BaseModel):
    task: str
    predictions: list[PredictionOut]


class Tasks(BaseModel):
    tasks: list[str]
    sources: int = Field(..., description="Number of indexed sources.")


DocumentOut = Document  # the pipeline's own result type (pipeline/knowledge.py)


class Documents(BaseModel):
    documents: list[DocumentOut]


class ApproveRequest(BaseModel):
    source: Text = Field(..., min_length=1, max_length=2000, description="The source, as GET /api/documents names it.")


class RestrictRequest(BaseModel):
    pattern: Text = Field(..., min_length=1, max_length=2000,
                          description="A source as GET /api/documents names it, or a folder prefix ending in '/'.")
    role: Literal["viewer", "technician", "engineer", "admin"] = Field(
        ..., description="The least role that may read it ('viewer': everyone).")


class Restricted(BaseModel):
    result: str


class DocumentApproved(BaseModel):
    source: str
    reviewed_by: str
    reviewed_at: str


class AuditLog(BaseModel):
    audit: list[AuditRow]


AlternativeOut = Alternative  # the pipeline's own type (pipeline/inspection.py)


class InspectionOut(InspectedPhoto):
    heatmap_png_base64: str | None = Field(None, description="The photo with its heatmap overlaid (?heatmaps=true).")


class InspectResponse(BaseModel):
    results: list[InspectionOut]
    needs_review: int
    anomalous: int
    errors: int


class InspectionReviewOut(BaseModel):
    id: int
    image: str = Field(..., validation_alias=AliasChoices("image", "subject"))
    label: str | None = None
    confidence: float | None = None
    alternatives: list[AlternativeOut] = []
    anomaly_score: float | None = None
    anomalous: bool | None = None
    source: str
    user: str | None = None
    created_at: str


class InspectionQueue(BaseModel):
    total: int
    items: list[InspectionReviewOut]


class ReviewItem(BaseModel):
    id: int = Field(..., description="Row id in the classifications table.")
    task: str = Field(..., validation_alias=AliasChoices("task", "queue"))
    text: str = Field(..., validation_alias=AliasChoices("text", "subject"))
    label: str | None = None
    confidence: float | None = None
    source: str | None = None
    created_at: str


class ReviewQueue(BaseModel):
    total: int = Field(..., description="Rows waiting for review (one per distinct text).")
    items: list[ReviewItem]
    cold_start: ColdStartCheck | None = Field(None, description="For a cold-start task with reviewed rows: how "
                                              "its guesses compare with the majority-class prior.")


class ReviewCorrection(BaseModel):
    id: int = Field(..., ge=1, description="Row id from the queue or a /api/classify prediction.")
    label: Text = Field(..., min_length=1, max_length=200)
    new_label: bool = Field(False, description="True to add a label the task does not know yet (else refused, "
                            "so that a typo does not become a class).")


class ReviewSaved(BaseModel):
    review_id: int
    id: int
    task: str = Field(..., validation_alias=AliasChoices("task", "queue"))
    text: str = Field(..., validation_alias=AliasChoices("text", "subject"))
    was: str | None = None
    label: str


class InspectionCorrection(BaseModel):
    id: int = Field(..., ge=1, description="Row id from the queue or an inspect result.")
    label: Text = Field(..., min_length=1, max_length=60)


class InspectionCorrected(BaseModel):
    id: int
    label: str
    was: str | None = None
    new_class: bool
