"""gunicorn settings for the credibility service (`gunicorn -c gunicorn.conf.py`).

Environment: HOST (127.0.0.1; the container sets 0.0.0.0), PORT (8000), GUNICORN_WORKERS (2),
GUNICORN_THREADS (1), GUNICORN_TIMEOUT (60), PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder
when unset).
"""
import os
import shutil
import tempfile

from service.logs import gunicorn_logger_class
from service.serving import LATE_WORKER

wsgi_app = "service:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# On SIGTERM a worker also answers the requests already waiting for it (service/draining.py;
# the threaded worker that GUNICORN_THREADS > 1 needs does not).
worker_class = "service.draining.DrainingSyncWorker" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Each worker loads the model itself; the master never imports scikit-learn.
preload_app = False
# No control socket: it lives at one path per user, so two servers on a machine would clash.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logger_class = gunicorn_logger_class()

# prometheus_client sums the workers' metrics through files in this folder; it must be
# set before a worker imports prometheus_client, so here, in the master.
_OWN_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="credibility-metrics-")


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):  # counts from an earlier run would be summed in
        os.remove(os.path.join(folder, name))


def post_worker_init(worker):
    # The app and its model live as long as the worker: out of the garbage collector's
    # sight, its full collections stop walking them (batches of 1,000 then took about a
    # fifth less time). service/serving.py freezes a reloaded model too.
    import gc

    gc.freeze()


def post_fork(server, worker):
    # The first workers start the server, and a bad model must stop it (service/serving.py);
    # one that replaces a dead worker, or comes with a HUP, starts unready instead, beside
    # siblings that still serve.
    if worker.age > server.num_workers:
        os.environ[LATE_WORKER] = "1"


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
