"""Tables understood by their meaning: each column gets a role, each table a kind.

A plant's troubleshooting table may say ``TROUBLE / PROBABLE CAUSE / REMEDY``, the demo's says
``Symptom / Possible cause / Remedy``, an FMEA export says ``Potential Failure Mode / Potential
Effect(s) of Failure / Severity / ... / RPN``. :func:`map_columns` gives every column a role from
its header (synonyms, normalised) and, where the header says nothing, from its content (dates,
1-10 ratings, long free text). :func:`table_kind` then files the table as a troubleshooting table,
an FMEA, an incident history or plain records. Users can override any column with ``col=role``
(``shopfloor index build --map``); the mapping is stored with the index.

:func:`fill_down` repairs exports from Excel where merged cells leave the repeated value only in
the first row of a group.

Example:
    >>> roles = map_columns(["TROUBLE", "PROBABLE CAUSE", "REMEDY"])
    >>> roles
    {'TROUBLE': 'symptom', 'PROBABLE CAUSE': 'cause', 'REMEDY': 'remedy'}
    >>> table_kind(roles)
    'troubleshooting'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ROLES = ("symptom", "cause", "remedy", "failure_mode", "effect", "controls", "severity", "occurrence", "detection",
         "rpn", "subsystem", "component", "machine", "date", "downtime", "cost", "text", "id")
KINDS = ("troubleshooting", "fmea", "incident", "records")

# Normalised header -> role. Exact matches first; then the longest synonym contained in the header.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "symptom": ("symptom", "symptoms", "trouble", "troubles", "fault", "fault description", "problem", "complaint",
                "observation", "indication", "what you see", "meaning", "malfunction", "defect", "issue", "condition"),
    "cause": ("cause", "causes", "probable cause", "possible cause", "potential cause", "root cause", "likely cause",
              "reason", "causes of failure", "potential causes of failure", "mechanism"),
    "remedy": ("remedy", "remedies", "action", "actions", "corrective action", "recommended action", "first action",
               "solution", "fix", "repair", "countermeasure", "what to do", "correction", "remedial action",
               "action taken", "maintenance action"),
    "failure_mode": ("failure mode", "potential failure mode", "fm", "failure", "failure type", "mode of failure"),
    "effect": ("effect", "effects", "potential effect", "potential effects of failure", "effects of failure",
               "consequence", "consequences", "impact"),
    "controls": ("controls", "current controls", "current control", "control", "prevention", "detection method"),
    "severity": ("severity", "sev", "s"),
    "occurrence": ("occurrence", "occ", "o", "likelihood", "frequency"),
    "detection": ("detection", "det", "d", "detectability"),
    "rpn": ("rpn", "risk priority number", "risk priority", "risk number"),
    "subsystem": ("subsystem", "sub system", "system", "major system", "assembly", "area", "function"),
    "component": ("component", "components", "sub component", "subcomponent", "part", "item", "element", "location"),
    "machine": ("machine", "machine id", "asset", "asset id", "equipment", "equipment id", "tag", "unit id"),
    "date": ("date", "datetime", "timestamp", "reported", "reported on", "opened", "date reported", "fail date"),
    "downtime": ("downtime", "downtime h", "downtime hours", "hours down", "duration", "time to repair", "ttr"),
    "cost": ("cost", "costs", "price", "total cost"),
    "text": ("text", "description", "short text", "shorttext", "original short text", "originalshorttext", "details",
             "notes", "comment", "comments", "work order", "log", "narrative", "long text"),
    "id": ("id", "incident id", "work order id", "wo", "ref", "reference", "no", "number"),
}
# The same roles in German and Chinese headers (a plant's own exports: Störung / Ursache / Abhilfe, 症状 / 原因 / 处理).
SYNONYMS_DE_ZH: dict[str, tuple[str, ...]] = {
    "symptom": ("störung", "fehler", "fehlerbild", "fehlerbeschreibung", "störungsbeschreibung", "befund",
                "problembeschreibung", "symptome", "症状", "故障现象", "现象", "故障描述", "问题", "问题描述", "故障",
                "缺陷", "异常现象", "投诉"),
    "cause": ("ursache", "ursachen", "mögliche ursache", "fehlerursache", "grund", "原因", "可能原因", "故障原因",
              "根本原因", "根因", "潜在原因", "失效原因", "失效机理"),
    "remedy": ("abhilfe", "maßnahme", "maßnahmen", "massnahme", "massnahmen", "behebung", "abstellmaßnahme",
               "lösung", "korrekturmaßnahme", "reparatur", "处理", "处理措施", "处理方法", "解决方法",
               "解决办法", "措施", "对策", "纠正措施", "排除方法", "维修措施", "建议措施", "排除"),
    "failure_mode": ("fehlerart", "ausfallart", "fehlermodus", "失效模式", "故障模式", "潜在失效模式"),
    "effect": ("fehlerfolge", "fehlerfolgen", "auswirkung", "auswirkungen", "folge", "影响", "失效影响", "后果",
               "潜在失效影响", "失效后果"),
    "controls": ("vermeidungsmaßnahme", "entdeckungsmaßnahme", "prüfmaßnahme", "现行控制", "当前控制", "控制措施",
                 "预防措施", "探测方法", "现行预防控制", "现行探测控制"),
    "severity": ("bedeutung", "schwere", "严重度", "严重程度", "严重性"),
    "occurrence": ("auftreten", "auftretenswahrscheinlichkeit", "频度", "发生度", "发生频率", "频率"),
    "detection": ("entdeckung", "entdeckungswahrscheinlichkeit", "探测度", "检测度", "可探测度", "探测"),
    "rpn": ("rpz", "risikoprioritätszahl", "风险优先数", "风险顺序数"),
    "subsystem": ("baugruppe", "teilsystem", "bereich", "系统", "子系统", "总成", "区域", "工序"),
    "component": ("bauteil", "komponente", "teil", "部件", "零件", "组件", "元件", "部位", "零部件"),
    "machine": ("maschine", "anlage", "anlagennummer", "maschinennummer", "设备", "机器", "设备编号", "机台",
                "设备名称", "机床", "设备号"),
    "date": ("datum", "zeitpunkt", "meldedatum", "日期", "时间", "发生日期", "故障日期", "报修日期", "发生时间"),
    "downtime": ("stillstand", "stillstandszeit", "ausfallzeit", "stillstandsdauer", "停机时间", "停机时长", "停机",
                 "故障时长", "停机小时"),
    "cost": ("kosten", "费用", "成本", "维修费用"),
    "text": ("beschreibung", "bemerkung", "bemerkungen", "kurztext", "langtext", "kommentar", "notiz", "描述", "说明",
             "备注", "详情", "内容", "记录", "维修记录"),
    "id": ("nr", "nummer", "auftragsnummer", "meldungsnummer", "编号", "序号", "单号", "工单号"),
}
for _role, _syns in SYNONYMS_DE_ZH.items():
    SYNONYMS[_role] = SYNONYMS[_role] + tuple(x for x in _syns if x not in SYNONYMS[_role])
def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in text)


_EXACT = {syn: role for role, syns in SYNONYMS.items() for syn in syns}
_CONTAINED = sorted(((syn, role) for syn, role in _EXACT.items() if len(syn) > 3 or _is_cjk(syn)),
                    key=lambda x: -len(x[0]))


def normalise_header(header: str) -> str:
    """'Potential Effect(s) of Failure' -> 'potential effects of failure'; 'OriginalShorttext' -> 'original shorttext'."""
    h = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    h = h.replace("(s)", "s").lower()
    h = re.sub(r"[^0-9a-z\u00c0-\uffff]+", " ", h)
    return re.sub(r"\s+", " ", h).strip()


def role_of_header(header: str) -> str | None:
    """The role a header names, or None when it names none."""
    h = normalise_header(header)
    if h in _EXACT:
        return _EXACT[h]
    if h.endswith(" id") or h.endswith(" no") or h.endswith(" number"):  # complaint_id, WO No: identifiers
        return "machine" if re.search(r"\b(machine|asset|equipment|unit)\b", h) else "id"
    compact = h.replace(" ", "")
    for syn, role in _EXACT.items():
        if len(syn) > 3 and syn.replace(" ", "") == compact:
            return role
    for syn, role in _CONTAINED:
        # Chinese is written without spaces: a synonym inside a longer header counts ("故障原因分析" -> cause)
        if (syn in h) if _is_cjk(syn) else re.search(rf"\b{re.escape(syn)}\b", h):
            return role
    return None


def map_columns(headers: Sequence[str], rows: Sequence[dict] | None = None,
                overrides: dict[str, str] | None = None) -> dict[str, str]:
    """``{column: role}`` for the columns that have one (overrides win; unknown override roles are an error).

    ``rows`` (dicts of strings) let content decide what headers do not: a column of 1-10 integers next to
    severity/occurrence ratings, dates, long free text.
    """
    overrides = overrides or {}
    for col, role in overrides.items():
        if role not in ROLES and role != "ignore":
            raise ValueError(f"unknown role {role!r} for column {col!r}; roles: {', '.join(ROLES)} (or 'ignore')")
        if col not in headers:
            raise ValueError(f"--map names column {col!r}, which the table does not have; columns: {list(headers)}")
    roles: dict[str, str] = {}
    for h in headers:
        if h in overrides:
            if overrides[h] != "ignore":
                roles[h] = overrides[h]
            continue
        found = role_of_header(h)
        if found is not None:
            roles[h] = found
    if rows:
        _roles_from_content(headers, rows, roles, set(overrides))
    return roles


def _roles_from_content(headers: Sequence[str], rows: Sequence[dict], roles: dict[str, str], fixed: set[str]) -> None:
    sample = rows[:200]
    taken = set(roles.values())
    for h in headers:
        if h in roles or h in fixed:
            continue
        values = [str(r.get(h, "")).strip() for r in sample if str(r.get(h, "")).strip()]
        if not values:
            continue
        if "date" not in taken and sum(bool(_DATE.match(v)) for v in values) >= 0.8 * len(values):
            roles[h], taken = "date", taken | {"date"}
        elif "text" not in taken and sum(len(v) for v in values) / len(values) > 40 \
                and len(set(values)) > 0.5 * len(values):
            roles[h], taken = "text", taken | {"text"}


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


REFERENCE_ROWS = 1000  # a symptom -> remedy table longer than this is a logbook of events, not a reference


def table_kind(roles: dict[str, str], n_rows: int = 0) -> str:
    """What the table is, from the roles its columns play (and, for symptom -> remedy tables, its length)."""
    have = set(roles.values())
    if "failure_mode" in have and have & {"effect", "severity", "occurrence", "detection", "rpn"}:
        return "fmea"
    if "cause" in have and have & {"symptom", "remedy", "failure_mode"}:
        return "troubleshooting"
    events = have & {"date", "machine", "downtime", "text"}
    if {"symptom", "remedy"} <= have and not events and n_rows <= REFERENCE_ROWS:
        return "troubleshooting"
    if have & {"text", "symptom"} and have & {"date", "machine", "remedy", "failure_mode", "downtime"}:
        return "incident"
    return "records"


def fill_down(rows: list[dict[str, str]], roles: dict[str, str]) -> int:
    """Fill blanks left by merged cells in grouping columns (subsystem, component, failure mode, machine, effect,
    symptom) from the row above; returns the number of cells filled.

    Only grouping columns are filled, and only inside a run: a blank in the first row stays blank, and a
    blank grouping cell is filled only when some other column of the row has a value.
    """
    group_roles = {"subsystem", "component", "failure_mode", "machine", "effect", "symptom", "severity"}
    cols = [c for c, r in roles.items() if r in group_roles]
    filled, last = 0, {}
    for row in rows:
        if not any(str(v).strip() for v in row.values()):
            continue
        for c in cols:
            v = str(row.get(c, "")).strip()
            if v:
                last[c] = v
            elif c in last:
                row[c] = last[c]
                filled += 1
    return filled


def by_role(columns: dict[str, str], roles: dict[str, str], role: str) -> str:
    """The row's values for ``role`` joined (a table may hold a role in two columns: Component, Sub-Component)."""
    vals = [str(columns.get(c, "")).strip() for c, r in roles.items() if r == role]
    return " / ".join(v for v in vals if v)


RATINGS = ("severity", "occurrence", "detection", "rpn")


@dataclass(frozen=True)
class RowView:
    """A table row read by the roles of its columns: the one way every layer reads a row (the chat's quote, the
    diagnosis card's cause, a table answer's summary line). ``kind`` is the table's kind (troubleshooting, fmea,
    incident, records)."""

    columns: dict[str, str]
    roles: dict[str, str]  # column -> role
    kind: str = ""

    @classmethod
    def of(cls, metadata, doc_type: str = "") -> RowView | None:
        """The view of a chunk's metadata, or None for prose (no column has a role)."""
        meta = metadata if isinstance(metadata, dict) else {}
        roles = meta.get("roles") or {}
        if not roles:
            return None
        return cls(meta.get("columns") or {}, roles, meta.get("table_kind") or doc_type)

    def get(self, role: str) -> str:
        """The row's values for ``role`` (two columns of one role joined with " / ")."""
        return by_role(self.columns, self.roles, role)

    def where(self) -> str:
        """Subsystem / component."""
        return " / ".join(v for v in (self.get("subsystem"), self.get("component")) if v)

    def part(self) -> str:
        """What the row is a failure of: subsystem, component and machine cells."""
        return self.cells(("subsystem", "component", "machine"))

    def failure(self) -> str:
        """The symptom, else the failure mode."""
        return self.get("symptom") or self.get("failure_mode")

    def head(self) -> str:
        """What the row is about, as a quote begins: "Subsystem / Component: failure mode or symptom"."""
        return ": ".join(v for v in (self.where(), self.failure()) if v)

    def ratings(self) -> dict[str, str]:
        """{column: value} of the filled rating cells (severity, occurrence, detection, RPN), in column order."""
        return {c: str(self.columns.get(c, "")).strip() for c, r in self.roles.items()
                if r in RATINGS and str(self.columns.get(c, "")).strip()}

    def ratings_text(self) -> str:
        """"Severity 8, RPN 120" (the plant's own column names), or ''."""
        return ", ".join(f"{c} {v}" for c, v in self.ratings().items())

    def filled(self, roles: Sequence[str]) -> int:
        """How many cells of the ``roles`` hold something."""
        return sum(bool(str(self.columns.get(c, "")).strip()) for c, r in self.roles.items() if r in roles)

    def cells(self, roles: Sequence[str], exclude: bool = False) -> str:
        """The cells whose role is in ``roles`` (or, with ``exclude``, not in them), space-separated in column
        order ("" cells skipped)."""
        return " ".join(str(self.columns.get(c, "")) for c, r in self.roles.items()
                        if (r in roles) != exclude and str(self.columns.get(c, "")).strip())
