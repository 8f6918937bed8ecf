"""An import's row problems in the reader's language: "第 3 行「渠道」：…" / "Row 3, channel: …".

The importer's checks speak English (the API's default, what scripts match on); a page or a request naming its
language gets each problem rewritten from its kind (the `type` of the detail) and its column. A problem of a kind
with no translation keeps its English text behind the translated row and column, so nothing is lost.
"""

from __future__ import annotations

import re

from service.core.errors import ErrorDetail, InvalidInput
from service.core.i18n import Translator

_ROW_LOC = re.compile(r"^(?P<row>\d+)$")
# English texts of the checks (outlet_import, writes, time_of_day) whose kind alone does not say what is wrong
_VALUE_ERRORS = (
    ("time must be HH:MM", "master_data.problem.time"),
    ("opening window must be", "master_data.problem.window"),
    ("ends before it starts", "master_data.problem.window_order"),
    ("open on no day", "master_data.problem.never_open"),
    ("fits none of the opening windows", "master_data.problem.visit_too_long"),
    ("does not exist", "master_data.problem.unknown_rep"),
    ("look swapped", "master_data.problem.swapped"),
)


def row_problem(detail: ErrorDetail, t: Translator) -> str:
    """One detail at [..., "row", <number>, <column>] as a sentence naming the row and the column."""
    *_, row, column = detail.loc
    columns = t.messages["master_data.columns"]
    label = ", ".join(columns.get(part, part) for part in str(column).split(".") if not _ROW_LOC.match(part))
    return t("master_data.row_problem", row=row, column=label, problem=problem_text(detail, t))


def problem_text(detail: ErrorDetail, t: Translator) -> str:
    kinds = t.messages["master_data.problem.kinds"]
    if detail.type == "enum":
        return t("master_data.problem.channel", channels="、".join(t.messages["channels"].values()))
    if detail.type in kinds:
        return str(kinds[detail.type])
    for english, key in _VALUE_ERRORS:
        if english in detail.msg:
            return t(key)
    return detail.msg


def translated(error: InvalidInput, t: Translator) -> InvalidInput:
    """The same problems at the same places, each message in `t`'s language."""
    details = [
        ErrorDetail(d.loc, row_problem(d, t), d.type) if "row" in d.loc[:-2] else ErrorDetail(d.loc, d.msg, d.type)
        for d in error.details
    ]
    bad_rows = len({d.loc[-2] for d in details if "row" in d.loc[:-2]})
    summary = t("master_data.rows_invalid", rows=bad_rows) if bad_rows else error.msg
    return InvalidInput(summary, details=details)
