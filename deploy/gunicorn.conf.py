"""gunicorn settings for one GridAcademy instance: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Each instance listens on its own port behind nginx (deploy/nginx.conf); the systemd template
deploy/systemd/gridacademy@.service starts one per port with GUNICORN_BIND=127.0.0.1:<port>. The app reads
its own settings (DATABASE_URL, SECRET_KEY, ...) from the environment (/etc/gridacademy/env).
"""
import multiprocessing
import os

#: Where this instance listens: nginx's upstream lists every instance's address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
#: Worker processes: the usual 2 × cores + 1 unless set (each holds its own database connection pool).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
#: A request longer than this is cut off and its worker restarted (long work goes to `flask jobs work`).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
#: Workers are replaced now and then, so slow memory growth never builds up.
max_requests = 5000
max_requests_jitter = 500
#: Not preloaded: each worker opens its own database connections after the fork.
preload_app = False
#: gunicorn takes the scheme from X-Forwarded-Proto only from nginx on this host; the app's ProxyFix
#: (TRUSTED_PROXIES=1) does the same for the client address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
#: gunicorn ≥ 25 opens a control socket at $HOME/.gunicorn/gunicorn.ctl: the same path for every instance
#: of one user on one host, so a second instance would take the first's. Not used here: off.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
proc_name = f"gridacademy-{bind.rsplit(':', 1)[-1]}"
