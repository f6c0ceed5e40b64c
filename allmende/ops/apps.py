import logging

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "allmende.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import pagecache
        from .logformat import stamp_request_id

        connection_created.connect(pagecache.install, dispatch_uid="allmende.ops.pagecache")
        pagecache.install_all()

        factory = logging.getLogRecordFactory()
        if not getattr(factory, "stamps_request_id", False):
            logging.setLogRecordFactory(stamp_request_id(factory))
