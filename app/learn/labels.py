"""Display names for the training tiers."""
from flask_babel import lazy_gettext as _l

TIER_NAMES = {
    "onboarding": _l("Onboarding training"),
    "annual": _l("Annual rotation"),
    "topical": _l("Topical training"),
}
