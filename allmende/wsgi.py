import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")
application = get_wsgi_application()

# What is alive now (modules, settings, models, the apps' registries: some 100 000 objects) lives as long
# as the process. Frozen, Python's full garbage collections no longer walk it: each took 40-60 ms, a stall
# of every request of the worker (benchmarks/forum/README.md).
gc.freeze()
