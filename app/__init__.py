"""GridAcademy (网格学院): the application factory."""
from __future__ import annotations

import os

from flask import Flask, current_app, has_request_context, session
from flask_login import current_user

from config import CONFIGS, WEAK_SECRET_KEYS

from sqlalchemy import event

from .extensions import _enable_sqlite_foreign_keys, babel, csrf, db, login_manager, migrate


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
        event.listen(db.engine, "connect", _enable_sqlite_foreign_keys)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _configure_login(app)

    from . import models  # noqa: F401  (register tables)
    from .accounts import bp as accounts_bp
    from .auth import bp as auth_bp
    from .content.cli import content_cli, demo_cli, users_cli
    from .drill import bp as drill_bp
    from .drill.cli import drill_cli
    from .compete import bp as compete_bp
    from .mentor import bp as mentor_bp
    from .profile import bp as profile_bp
    from .profile.cli import xapi_cli
    from .quiz import bp as quiz_bp
    from .quiz.cli import quiz_cli
    from .learn import bp as learn_bp
    from .main import bp as main_bp
    from .errors import init_errors
    from .templating import init_templating

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(drill_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(mentor_bp)
    app.register_blueprint(compete_bp)
    app.register_blueprint(profile_bp)
    app.cli.add_command(drill_cli)
    app.cli.add_command(quiz_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    init_templating(app)
    init_errors(app)
    return app


def _check_config(app: Flask) -> None:
    if app.config.get("ENV_NAME") == "production":
        if app.config.get("SECRET_KEY") in WEAK_SECRET_KEYS or len(app.config["SECRET_KEY"]) < 16:
            raise ConfigError(
                "production needs a real SECRET_KEY: set the SECRET_KEY environment variable "
                "to a random string of at least 16 characters"
            )
    elif not app.config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is not set")


def _select_locale() -> str:
    """The session's choice, else the user's saved preference, else zh_CN (the default)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))
