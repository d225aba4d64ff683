"""What a person reads for the app's codes: roles, tiers, area levels, outcomes, states, reasons.

One module for every display label, all through Flask-Babel (zh_CN first). Codes (``worker``,
``onboarding``, ``same_grid`` ...) never reach a page: templates get these dictionaries as globals
(``app.templating``) and views call the ``*_text`` functions.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import competency

TIER_NAMES = {
    "onboarding": _l("Onboarding training"),
    "annual": _l("Annual rotation"),
    "topical": _l("Topical training"),
}

LEVEL_NAMES = {
    "city": _l("city"),
    "district": _l("district"),
    "street": _l("street"),
    "community": _l("community"),
    "grid": _l("grid"),
}

ROLE_NAMES = {"worker": _l("Grid worker"), "mentor": _l("Mentor"), "organizer": _l("Organizer"), "admin": _l("Admin")}

OUTCOME_NAMES = {"success": _l("Handled well"), "partial": _l("Partly handled"), "failure": _l("Went wrong")}

GRADING_NAMES = {"highest": _l("highest attempt"), "last": _l("last attempt"), "first": _l("first attempt"),
                 "average": _l("average of attempts")}

STATUS_NAMES = {"active": _l("active"), "ended": _l("ended"), "independent": _l("works independently")}

EVENT_NAMES = {"created": _l("paired"), "extended": _l("term extended"), "ended": _l("ended"),
               "signed_off": _l("signed off by the mentor"), "confirmed": _l("independence confirmed")}

ROUND_KINDS = {"quiz": _l("knowledge quiz"), "drill": _l("scenario drill"), "practical": _l("judged practical")}

ROUND_STATES = {"upcoming": _l("not open yet"), "open": _l("open now"), "closed": _l("closed")}

#: A judge's conflict of interest with a contestant (``app.compete.rules.CONFLICTS``).
CONFLICT_NAMES = {"mentee": _l("the contestant is the judge's mentee"),
                  "mentor": _l("the contestant is the judge's mentor"),
                  "same_grid": _l("the judge works in the contestant's grid")}


def flag_text(flag: str) -> str:
    """A warning on a quiz question's item statistics."""
    return {"negative-discrimination": _("Stronger learners score lower than weaker ones: check the answer key."),
            "too-hard": _("Almost nobody answers this right."),
            "too-easy": _("Almost everybody answers this right.")}.get(flag, flag)


#: How the body at each level of the tree signs a certificate: 长青街道 → 长青街道办事处.
OFFICIAL_SUFFIXES = {"city": "人民政府", "district": "人民政府", "street": "办事处", "community": "居民委员会"}


def official_name(area) -> str:
    """The name an area's administration signs with (落款): 长青街道办事处, 幸福社区居民委员会,
    滨江区人民政府; a grid signs as its community."""
    while area is not None and area.level == "grid":
        area = area.parent
    if area is None:
        return ""
    suffix = OFFICIAL_SUFFIXES.get(area.level, "")
    return area.name if area.name.endswith(suffix) else area.name + suffix


def rank_text(rank: int, tied: bool = False) -> str:
    """A place in a ranking as Chinese readers write it: ``2`` or ``并列2`` (never ``2=``)."""
    return _("tied %(rank)d", rank=rank) if tied else str(rank)


def template_globals() -> dict:
    return {"flag_text": flag_text, "rank_text": rank_text, "TIER_NAMES": TIER_NAMES, "LEVEL_NAMES": LEVEL_NAMES, "ROLE_NAMES": ROLE_NAMES,
            "OUTCOME_NAMES": OUTCOME_NAMES, "GRADING_NAMES": GRADING_NAMES, "STATUS_NAMES": STATUS_NAMES,
            "EVENT_NAMES": EVENT_NAMES, "ROUND_KINDS": ROUND_KINDS, "ROUND_STATES": ROUND_STATES,
            "CONFLICT_NAMES": CONFLICT_NAMES}


def attention_text(item) -> str:
    """A mentor's attention item (``app.mentor.rules.Attention``)."""
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
    """A reason behind a pairing suggestion (``app.mentor.pairing.Reason``); indicators by their title."""
    p = dict(reason.params)
    if "indicator" in p:
        p["indicator"] = competency.names().get(p["indicator"], p["indicator"])
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


# --- knowledge base: kinds of search results, categories of entries, the four parts of a case, states
# (templates get them through ``app.kb.hooks``).
KB_KIND_NAMES = {"faq": _l("FAQ"), "case": _l("Case"), "lesson": _l("Lesson"), "question": _l("Question explained")}
KB_CATEGORY_NAMES = {"policy": _l("Policy questions"), "dispute": _l("Disputes between neighbours"),
                     "emergency": _l("Emergencies and disasters"), "special-groups": _l("Special groups"),
                     "civilized-city": _l("Civilised city"), "duties": _l("A grid worker's duties"),
                     "career": _l("Training and career"), "wellbeing": _l("Wellbeing at work")}
KB_PART_NAMES = {"description": _l("Description of the problem"), "handling": _l("How it was handled"),
                 "lessons_learned": _l("Lessons learned"), "feedback": _l("Residents' feedback")}
CASE_STATUS_NAMES = {"draft": _l("draft"), "submitted": _l("waiting for review"),
                     "changes_requested": _l("changes requested"), "approved": _l("approved")}


def kb_template_globals() -> dict:
    return {"KB_KIND_NAMES": KB_KIND_NAMES, "KB_CATEGORY_NAMES": KB_CATEGORY_NAMES, "KB_PART_NAMES": KB_PART_NAMES,
            "CASE_STATUS_NAMES": CASE_STATUS_NAMES}
