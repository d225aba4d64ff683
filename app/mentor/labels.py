"""Display texts for attention items, pairing reasons and notifications, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _


def attention_text(item) -> str:
    p = dict(item.params)
    texts = {
        "visits_behind": lambda: _("Only %(visits)d of %(minimum)d joint visits this month, %(days_left)d days left.",
                                   **p),
        "drill_failed_uncommented": lambda: _("A failed drill attempt has no comment from you yet."),
        "course_stalled": lambda: _("No progress on %(course)s for %(days)d days.", **p),
        "term_overdue": lambda: _("The planned end passed %(days)d days ago without a sign-off.", **p),
        "term_ending_soon": lambda: _("The term ends in %(days)d days: sign off or ask for an extension.", **p),
    }
    return texts[item.key]() if item.key in texts else item.key


def reason_text(reason) -> str:
    p = dict(reason.params)
    texts = {
        "same_grid": lambda: _("works in the same grid"),
        "same_community": lambda: _("works in the same community"),
        "same_street": lambda: _("works in the same street"),
        "same_district": lambda: _("works in the same district"),
        "far": lambda: _("works in another district"),
        "area_unknown": lambda: _("area not known"),
        "experience_full": lambda: _("%(years)s years of experience", years=p.get("years")),
        "experience_some": lambda: _("%(years)s years of experience", years=p.get("years")),
        "experience_new": lambda: _("less than a year of experience"),
        "covers_weakness": lambda: _("strong where the mentee is weak: %(indicator)s %(mentor)s vs %(mentee)s",
                                     indicator=p.get("indicator"), mentor=p.get("mentor"), mentee=p.get("mentee")),
        "no_edge": lambda: _("no stronger than the mentee on %(indicator)s", indicator=p.get("indicator")),
        "mentor_level_unknown": lambda: _("own level on %(indicator)s not yet known", indicator=p.get("indicator")),
        "no_levels": lambda: _("no competency levels to compare yet"),
        "free_places": lambda: _("%(free)s of %(capacity)s places free", free=p.get("free"),
                                 capacity=p.get("capacity")),
        "full": lambda: _("no free place"),
        "self": lambda: _("cannot mentor themselves"),
    }
    return texts[reason.key]() if reason.key in texts else reason.key


def notification_text(note) -> str:
    p = dict(note.params)
    texts = {
        "paired": lambda: _("%(mentor)s is now your mentor.", **p),
        "paired_mentor": lambda: _("You are now the mentor of %(mentee)s.", **p),
        "visit_to_confirm": lambda: _("%(by)s logged a joint visit on %(day)s: please confirm it.", **p),
        "drill_comment": lambda: _("%(by)s commented on your decision in %(drill)s.", **p),
        "signoff_to_confirm": lambda: _("%(mentor)s signed off %(mentee)s as ready to work independently: "
                                        "please confirm.", **p),
        "independent": lambda: _("Your independence has been confirmed. Congratulations!"),
        "independent_mentor": lambda: _("The independence of %(mentee)s has been confirmed.", **p),
    }
    return texts[note.kind]() if note.kind in texts else note.kind
