"""Forms of competitions: what organizers and judges send, read into typed values.

The fields only read: input that cannot be read (an empty or malformed number or time) reads as
nothing, and the service judges the values, so a refusal says the same thing whatever sent them.
Times are typed in the configured local zone (``app.clock.from_local``). Field names are the
templates' input names.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, Field, FloatField, IntegerField, StringField, TextAreaField

from .. import competency
from ..clock import from_local
from ..forms import EnrolPeopleForm, FiniteFloatField, IdField, IdListField


class LocalTimeField(DateTimeLocalField):
    """A ``datetime-local`` input read in the local zone: an aware datetime, or None."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)  # unreadable: data is None and the error is not used
        if self.data is not None:
            self.data = from_local(self.data)


class TextListField(Field):
    """Every value of a repeated input (a multiple select), as text."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class PrizeFields:
    """The ranking prizes (一等奖/二等奖/三等奖): by number of places ("count") or by share ("share", %)."""

    prize_mode = StringField(default="count")
    prize_first = FiniteFloatField(default=1)
    prize_second = FiniteFloatField(default=2)
    prize_third = FiniteFloatField(default=3)

    def prizes(self) -> tuple:
        """(mode, (first, second, third)) as typed; an unreadable number reads as None (refused)."""
        return self.prize_mode.data, (self.prize_first.data, self.prize_second.data, self.prize_third.data)


class CompetitionForm(PrizeFields, FlaskForm):
    title = StringField(default="")
    description = TextAreaField(default="")
    brackets = StringField(default="")
    freeze_at = LocalTimeField()

    def bracket_names(self) -> list[str]:
        """Bracket names as typed, separated by ASCII or full-width commas."""
        return self.brackets.data.replace("，", ",").split(",")


class PrizeForm(PrizeFields, FlaskForm):
    pass


class SwapForm(FlaskForm):
    """Replace judge ``out`` by judge ``new`` for one ``entry`` of a practical round."""

    entry = IdField()
    out = IdField()
    new = IdField()


def rubric_rows(text: str) -> list[dict]:
    """One criterion per line, ``name | max points | indicator`` (full-width ｜ too); the indicator by
    its Chinese title as organizers read it (群众沟通能力), or by its id. A line that does not read as
    one keeps its name with an impossible maximum, so the rubric check names it."""
    by_title = {title: key for key, title in competency.names().items()}
    rows = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) == 3 and parts[0]:
            indicator = by_title.get(parts[2], parts[2])
            try:
                rows.append({"name": parts[0], "max": float(parts[1]), "indicator": indicator})
            except ValueError:
                rows.append({"name": parts[0], "max": -1, "indicator": indicator})
        elif line.strip():
            rows.append({"name": line.strip(), "max": -1, "indicator": ""})
    return rows


class RoundForm(FlaskForm):
    kind = StringField(default="")
    title = StringField(default="")
    weight = FiniteFloatField()
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()
    banks = TextListField()
    count = IntegerField()
    time_limit_min = IntegerField()
    drill_id = StringField()
    rubric = TextAreaField(default="")

    def values(self) -> dict:
        """The keyword arguments of ``service.add_round``."""
        return {"kind": self.kind.data, "title": self.title.data, "weight": self.weight.data,
                "opens_at": self.opens_at.data, "closes_at": self.closes_at.data, "banks": self.banks.data,
                "count": self.count.data or 0, "time_limit_min": self.time_limit_min.data,
                "drill_id": self.drill_id.data, "rubric": self.rubric_rows()}

    def rubric_rows(self) -> list[dict]:
        return rubric_rows(self.rubric.data)


class RoundEditForm(FlaskForm):
    """A round's changes before it opens; a part not sent (banks, count, drill, rubric) stays as it is."""

    title = StringField(default="")
    weight = FiniteFloatField()
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()
    time_limit_min = IntegerField()
    banks = TextListField()
    count = IntegerField()
    drill_id = StringField()
    rubric = TextAreaField()

    def values(self) -> dict:
        """The keyword arguments of ``service.update_round``."""
        sent = self.rubric.raw_data
        typed = (self.count.raw_data or [""])[0].strip()
        count = self.count.data if self.count.data is not None or not typed else -1  # unreadable: refused
        return {"title": self.title.data, "weight": self.weight.data, "opens_at": self.opens_at.data,
                "closes_at": self.closes_at.data, "time_limit_min": self.time_limit_min.data,
                "banks": self.banks.data or None, "count": count, "drill_id": self.drill_id.data or None,
                "rubric": rubric_rows(self.rubric.data) if sent else None}


class EnrolForm(EnrolPeopleForm):
    """Enrol contestants, into a bracket if one is chosen."""

    bracket = IdField()


class JudgesForm(FlaskForm):
    judges = IdListField()


class ScoreForm(FlaskForm):
    """A judge's sheet: points ``c0``, ``c1``, … in rubric order (``score_form`` adds them) and a note."""

    criteria = 0
    note = TextAreaField(default="")

    def points(self) -> list[float | None]:
        return [self[f"c{i}"].data for i in range(self.criteria)]


def score_form(rubric: list[dict]) -> ScoreForm:
    """The score sheet of a rubric: one number field per criterion."""
    fields = {f"c{i}": FloatField() for i in range(len(rubric))}
    return type("RubricScoreForm", (ScoreForm,), {"criteria": len(rubric), **fields})()
