"""The application factory: configuration, extensions, the features' blueprints and start-up
registrations (evidence sources, signal subscriptions, menu entries, notification kinds), CLI."""
from __future__ import annotations

import os
from types import ModuleType
from typing import NamedTuple

from babel import Locale
from flask import Flask, current_app, has_request_context, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event

from config import CONFIGS, secret_key_problem, xapi_base_problem

from . import models  # noqa: F401  (register every table)
from .accounts import hooks as accounts_hooks, views as accounts_views
from .auditlog import hooks as auditlog_hooks, views as auditlog_views
from .auth import hooks as auth_hooks, views as auth_views
from .auth.sessions import load_user as load_session_user
from .backup import backup_cli
from .cli import demo_cli, users_cli
from .compete import hooks as compete_hooks, views as compete_views
from .content.cli import content_cli
from .drill import hooks as drill_hooks, views as drill_views
from .drill.cli import drill_cli
from .errors import init_errors
from .web import IdConverter
from .headers import init_headers
from .proxy import init_proxy, proxies_problem
from .kb import hooks as kb_hooks, views as kb_views
from .jobs.cli import jobs_cli
from .extensions import begin_before_savepoint, configure_sqlite_connection, babel, csrf, db, login_manager, migrate
from .learn import hooks as learn_hooks, views as learn_views
from .main import hooks as main_hooks, views as main_views
from .mentor import hooks as mentor_hooks, views as mentor_views
from .profile import hooks as profile_hooks, views as profile_views
from .profile.cli import evidence_cli, xapi_cli
from .quiz import hooks as quiz_hooks, views as quiz_views
from .quiz.cli import quiz_cli
from .forms import init_wtforms_i18n
from .templating import init_templating
from .train import hooks as train_hooks, views as train_views


class Feature(NamedTuple):
    views: ModuleType          # holds ``bp``, the feature's blueprint
    hooks: ModuleType | None   # ``init_app(app)``: evidence sources, signals, menu entries, notification kinds


#: Every feature, in menu order of registration. Adding a feature is one line here (see README).
FEATURES = (
    Feature(main_views, main_hooks),
    Feature(auth_views, auth_hooks),
    Feature(learn_views, learn_hooks),
    Feature(quiz_views, quiz_hooks),
    Feature(drill_views, drill_hooks),
    Feature(profile_views, profile_hooks),
    Feature(mentor_views, mentor_hooks),
    Feature(compete_views, compete_hooks),
    Feature(kb_views, kb_hooks),
    Feature(train_views, train_hooks),
    Feature(accounts_views, accounts_hooks),
    Feature(auditlog_views, auditlog_hooks),
)


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says why in one line."""


def create_app(config=None, **overrides) -> Flask:
    """Build the app.

    ``config`` is a name from ``config.CONFIGS`` ("development", "testing", "production"), a config
    class or object, or None for ``$GRIDACADEMY_CONFIG`` (default "development"). Keyword
    overrides are applied last. Raises ``ConfigError`` when production has no real SECRET_KEY.
    """
    app = Flask(__name__, instance_relative_config=True)
    if config is None:
        config = os.environ.get("GRIDACADEMY_CONFIG", "development")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ConfigError(f"unknown config {config!r}; use one of {', '.join(CONFIGS)}")
        config = CONFIGS[config]
    app.config.from_object(config)
    app.config.update(overrides)
    _check_config(app)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", configure_sqlite_connection)
        event.listen(db.engine, "savepoint", begin_before_savepoint)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _configure_login(app)

    app.url_map.converters["int"] = IdConverter  # <int:id> beyond what the database holds: 404, not 500
    for feature in FEATURES:
        app.register_blueprint(feature.views.bp)
        if feature.hooks is not None:
            feature.hooks.init_app(app)
    for command in (backup_cli, content_cli, demo_cli, users_cli, drill_cli, jobs_cli, quiz_cli, xapi_cli, evidence_cli):
        app.cli.add_command(command)
    init_templating(app)
    init_wtforms_i18n(app)
    init_errors(app)
    init_headers(app)
    init_proxy(app)
    return app


def _check_config(app: Flask) -> None:
    """Production: a strong SECRET_KEY, never the Werkzeug debugger, a real XAPI_BASE. Raises ConfigError
    (one line); in every environment a sane TRUSTED_PROXIES."""
    problem = proxies_problem(app.config.get("TRUSTED_PROXIES", 0))
    if problem:
        raise ConfigError(problem)
    if app.config.get("ENV_NAME") == "production":
        problem = secret_key_problem(app.config.get("SECRET_KEY"))
        if problem:
            raise ConfigError(problem)
        if app.config.get("DEBUG") or _env_flag("FLASK_DEBUG"):
            raise ConfigError("production refuses debug mode (the Werkzeug debugger runs any code a visitor "
                              "sends): unset FLASK_DEBUG and drop --debug")
        problem = xapi_base_problem(app.config.get("XAPI_BASE"))
        if problem:
            raise ConfigError(problem)
        app.debug = False
    elif not app.config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is not set")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


#: Parsed locales by name: Flask-Babel would parse the selector's string on every request (``Locale.parse``
#: looks the name up in Babel's data on disk); it keeps a ``Locale`` it is given as it is.
_locales: dict[str, Locale] = {}


def _select_locale() -> Locale:
    """The session's choice, else the user's saved preference, else zh_CN (the default)."""
    languages = current_app.config["LANGUAGES"]
    name = current_app.config["BABEL_DEFAULT_LOCALE"]
    if has_request_context():
        chosen = session.get("locale")
        if chosen in languages:
            name = chosen
        elif current_user and current_user.is_authenticated and current_user.locale in languages:
            name = current_user.locale
    locale = _locales.get(name)
    if locale is None:
        locale = _locales[name] = Locale.parse(name)
    return locale


def _configure_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    login_manager.user_loader(load_session_user)
