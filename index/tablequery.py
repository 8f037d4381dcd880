"""Questions over tables answered by filtering the rows, not by similarity.

"Which components have an RPN over 35?", "failure modes with severity >= 4", "how many leaks are in
the FMEA?", "which components of the power unit ..." are conditions on columns: similarity search
returns rows that *look* like the question (RPN 8 and 12 rows included). :func:`answer_table_question`
parses the condition against the columns of the indexed tables (by their role and header), filters
every row with it and returns the matching rows, each citable. A question that names a column but a
value no row has is answered "not found" rather than with the nearest row.

It returns None when the question is not a table question, so the caller falls back to retrieval.

Example:
    >>> parse_numeric("which components have an RPN over 35", ["rpn"])  # doctest: +SKIP
    ('rpn', '>', 35.0)
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

from shopfloor.index.tables import SYNONYMS, RowView, normalise_header
from shopfloor.index.text import shorten

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}
_WORD_OPS = [(r"(?:greater|more|higher|larger|bigger) than|over|above|exceeds?|exceeding|>", ">"),
             (r"at least|no less than|not less than|minimum(?: of)?|>=|≥", ">="),
             (r"(?:less|lower|smaller|fewer) than|under|below|<", "<"),
             (r"at most|no more than|not more than|maximum(?: of)?|<=|≤", "<="),
             (r"equal to|equals|of exactly|exactly|==|=|is|of", "=")]
_NUM = r"(-?\d+(?:\.\d+)?)"
_COUNT = re.compile(r"^\s*(how many|number of|count( of)?)\b", re.I)
_LIST = re.compile(r"^\s*(which|list|show( me)?|name|give me|what (are|were) (the|all)|what \w+ (has|have|had))\b", re.I)
_STOP = set("the a an of in on at to for with and or is are was were be been has have had do does did what which "
            "who how many much list show me all any there their its this that these those from by as it involve involves "
            "involving related relating about concern concerning mention mentions contain contains include includes "
            "including listed recorded".split())
MAX_LISTED = 25


@dataclass
class TableRow:
    source: str
    row: int
    columns: dict[str, str]
    citation: str


@dataclass
class Table:
    source: str
    roles: dict[str, str]
    rows: list[TableRow]
    kind: str = "records"

    def numeric_columns(self) -> list[str]:
        out = []
        for c in self.rows[0].columns if self.rows else []:
            vals = [r.columns.get(c, "").strip() for r in self.rows]
            vals = [v for v in vals if v]
            if vals and sum(_is_number(v) for v in vals) >= 0.9 * len(vals):
                out.append(c)
        return out


@dataclass
class TableAnswer:
    text: str
    rows: list[TableRow] = field(default_factory=list)
    found: bool = True
    condition: str = ""


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def aliases(column: str, role: str | None) -> list[str]:
    """Words a question may use for a column: its header, and the role's synonyms for rating columns."""
    names = {normalise_header(column)}
    if role in ("severity", "occurrence", "detection", "rpn", "downtime", "cost"):
        names |= {s for s in SYNONYMS[role] if len(s) > 2}
    if role:
        names.add(role.replace("_", " "))
    return sorted((n for n in names if n), key=len, reverse=True)


def parse_numeric(question: str, table: Table) -> tuple[str, str, float] | None:
    """(column, op, number) when the question puts a number condition on one of ``table``'s numeric columns."""
    q = " " + normalise_question(question) + " "
    for col in table.numeric_columns():
        for name in aliases(col, table.roles.get(col)):
            at = re.search(rf"\b{re.escape(name)}s?\b", q)
            if not at:
                continue
            tail = q[at.end():at.end() + 60]
            m = re.match(rf"\s*(?:value |score |rating |number )?(?:is |of |was )?{_NUM}\s*(?:or|and)\s*"
                         r"(more|higher|above|greater|over|less|lower|below|under|fewer)\b", tail)
            if m:
                op = ">=" if m.group(2) in ("more", "higher", "above", "greater", "over") else "<="
                return col, op, float(m.group(1))
            for pattern, op in _WORD_OPS:
                m = re.match(rf"\s*(?:value |score |rating )?(?:is |was |being )?(?:{pattern})\s*{_NUM}\b", tail)
                if m:
                    return col, op, float(m.group(1))
            m = re.match(rf"\s*(?:=\s*)?{_NUM}\b", tail)  # "detection 3"
            if m:
                return col, "=", float(m.group(1))
            head = q[max(0, at.start() - 40):at.start()]  # "over 35 RPN", "35+ RPN"
            m = re.search(rf"(?:{'|'.join(p for p, _ in _WORD_OPS[:4])})\s*{_NUM}\s*$", head)
            if m:
                word = head[m.start():m.start(1)].strip()
                op = next(o for p, o in _WORD_OPS[:4] if re.fullmatch(p, word))
                return col, op, float(m.group(1))
    return None


def normalise_question(q: str) -> str:
    q = q.replace("≥", " >= ").replace("≤", " <= ")
    q = re.sub(r"(?<=[a-z])(>=|<=|>|<|=)", r" \1", q.lower())
    return re.sub(r"[^\w\s.<>=-]", " ", q)


def _terms(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2]


def _stem(w: str) -> str:
    """leaks, leaking, leaked -> leak; blockages, blocked -> block; modes -> mode; batteries -> battery."""
    for suf in ("ages", "age", "ing", "ed"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _mentions(cell: str, term: str) -> bool:
    return any(_stem(w) == _stem(term) for w in re.findall(r"[a-z0-9]+", cell.lower()))


def value_filters(question: str, table: Table) -> list[tuple[str, str]]:
    """(column, value) pairs for category values the question names (e.g. subsystem 'Power Unit')."""
    q = " " + " ".join(re.findall(r"[a-z0-9]+", question.lower())) + " "
    cat_roles = {"subsystem", "component", "machine"}  # identifying columns; descriptions are matched by words
    found: dict[str, str] = {}
    for col, role in table.roles.items():
        if role not in cat_roles:
            continue
        values = {r.columns.get(col, "").strip() for r in table.rows}
        best = None
        for v in values:
            norm = " ".join(re.findall(r"[a-z0-9]+", v.lower()))
            if len(norm) >= 4 and f" {norm} " in q and (best is None or len(norm) > len(best[1])):
                best = (v, norm)
        if best:
            found[col] = best[0]
    norms = {c: " ".join(re.findall(r"[a-z0-9]+", v.lower())) for c, v in found.items()}
    # a value inside a longer value another column matched ("tank" in "fuel tank") is not a filter of its own
    return [(c, v) for c, v in found.items() if not any(o != c and norms[c] != norms[o] and norms[c] in norms[o]
                                                         for o in found)]


def answer_table_question(question: str, tables: list[Table]) -> TableAnswer | None:
    """Rows that meet the question's condition, or None when it has no condition on any table's columns.

    Tables whose name or headers the question uses are tried first (then FMEA, troubleshooting, incidents).
    """
    words = {_stem(w) for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in _STOP}
    order = {"fmea": 0, "troubleshooting": 1, "incident": 2, "records": 3}

    def named(t: Table) -> int:
        names = " ".join([re.sub(r"[_\-.]", " ", t.source.lower()), *(normalise_header(c) for c in t.roles)])
        return len(words & {_stem(w) for w in re.findall(r"[a-z0-9]+", names)})

    for table in sorted(tables, key=lambda t: (-named(t), order.get(t.kind, 9))):
        if not table.rows:
            continue
        num = parse_numeric(question, table)
        counting = bool(_COUNT.search(question))
        rated = _asks_rating(question, table) if num is None and not counting else None
        if rated:  # "what is the RPN of X": X must be in the table, else "not found" (never the nearest row)
            return _lookup(question, table, rated)
        cats = value_filters(question, table) if (num or counting or _LIST.search(question)) else []
        if cats and num is None and not counting and not _names_a_column(question, table, cats):
            cats = []  # "which filter do I replace" names a value, not a column: a how-to question, not a listing
        if num is None and not cats and not counting:
            continue
        rows = table.rows
        cond = []
        if num:
            col, op, x = num
            rows = [r for r in rows if _is_number(r.columns.get(col, "").strip() or "x")
                    and _OPS[op](float(r.columns[col]), x)]
            cond.append(f"{col} {op} {x:g}")
        for col, val in cats:
            rows = [r for r in rows if r.columns.get(col, "").strip() == val]
            cond.append(f"{col} = {val}")
        if counting and not num:
            terms = [t for t in _terms(_COUNT.sub("", question)) if not _names_table(t, table)]
            terms = [t for t in terms if not any(_mentions(v, t) for _, v in cats)]
            if terms:
                text_cols = [c for c, r in table.roles.items() if r in ("failure_mode", "symptom", "text")]
                rows = [r for r in rows if all(any(_mentions(r.columns.get(c, ""), t) for c in text_cols)
                                               for t in terms)]
                cond.append(f"{' / '.join(text_cols) or 'the text'} mentions " + " and ".join(repr(t) for t in terms))
            elif not cats:
                continue
        return _render(table, rows, " and ".join(cond), counting)
    return None


def _names_a_column(question: str, table: Table, cats: list[tuple[str, str]]) -> bool:
    """Whether the question names one of the table's columns (or rows) in words other than the matched values."""
    used = {_stem(w) for _, v in cats for w in re.findall(r"[a-z0-9]+", v.lower())}
    words = {_stem(w) for w in re.findall(r"[a-z0-9]+", question.lower())} - used
    names = {_stem(w) for c in table.roles for w in normalise_header(c).split()} | {"row", "entry", "mode", "item"}
    names |= {_stem(w) for r in set(table.roles.values()) for w in r.split("_")}
    return bool(words & (names - _STOP))


def _asks_rating(question: str, table: Table) -> str | None:
    """The rating column (RPN, severity, ...) a question asks about ('what is the RPN of ...'), if any."""
    q = " " + normalise_question(question) + " "
    for col, role in table.roles.items():
        if role in ("severity", "occurrence", "detection", "rpn"):
            if any(re.search(rf"\b{re.escape(a)}s?\b", q) for a in aliases(col, role) if len(a) > 1):
                return col
    return None


def _lookup(question: str, table: Table, rating: str) -> TableAnswer:
    """Rows whose failure mode / component cells hold most of the question's words; 'not found' when none does."""
    terms = [t for t in _terms(question) if not _names_table(t, table)
             and not any(_stem(t) == _stem(w) for a in aliases(rating, table.roles.get(rating)) for w in a.split())]
    if not terms:
        return TableAnswer(f"Name the failure mode or component whose {rating} you want; {table.source} has "
                           f"{len(table.rows)} rows.", [], False, "")
    cols = [c for c, r in table.roles.items() if r in ("subsystem", "component", "failure_mode", "effect", "symptom")]
    scored = []
    for r in table.rows:
        cells = " ".join(r.columns.get(c, "") for c in cols)
        hit = sum(_mentions(cells, t) for t in terms) / len(terms)
        scored.append((hit, r))
    best = max((h for h, _ in scored), default=0.0)
    what = " ".join(terms)
    if best < 0.67:
        return TableAnswer(f"No row of {table.source} matches '{what}': not found in that table, so it has no "
                           f"{rating} there.", [], False, f"matches '{what}'")
    rows = [r for h, r in scored if h == best]
    return _render(table, rows, f"the failure mode or component matches '{what}' (see {rating})", False)


def _names_table(term: str, table: Table) -> bool:
    names = " ".join([table.source.lower(), *(normalise_header(c) for c in table.roles), table.kind, "fmea", "table",
                      "rows", "row", "entries", "times"])
    return _stem(term) in {_stem(w) for w in re.findall(r"[a-z0-9]+", names)}


def _render(table: Table, rows: list[TableRow], cond: str, counting: bool) -> TableAnswer:
    if not rows:
        return TableAnswer(f"No row of {table.source} where {cond}: not found in that table.", [], False, cond)
    head = f"{len(rows)} row{'s' if len(rows) != 1 else ''} of {table.source} where {cond}"
    lines = [head + (":" if not counting or len(rows) <= MAX_LISTED else f"; the first {MAX_LISTED}:")]
    for n, r in enumerate(rows[:MAX_LISTED], start=1):
        lines.append(f"- {summarise_row(r, table.roles)} [{n}]")
    if len(rows) > MAX_LISTED:
        lines.append(f"... and {len(rows) - MAX_LISTED} more (filter further, or export the table).")
    return TableAnswer("\n".join(lines), rows[:MAX_LISTED], True, cond)


def summarise_row(row: TableRow, roles: dict[str, str]) -> str:
    """The row's identifying cells and ratings in one line: 'Fuel System / Fuel Tank - Cracked or leaking (RPN 8)'."""
    view = RowView(row.columns, roles)
    mode, cause = view.get("failure_mode") or view.get("symptom"), view.get("cause")
    mode = f"{mode}; cause: {shorten(cause, 100)}" if mode and cause else mode
    text = " - ".join(p for p in (view.where(), mode) if p) or shorten("; ".join(f"{k}: {v}" for k, v in
                                                                          row.columns.items() if v), 160)
    ratings = view.ratings_text()
    return text + (f" ({ratings})" if ratings else "")
