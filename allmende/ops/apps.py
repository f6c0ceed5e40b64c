import logging

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "allmende.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from .logformat import stamp_request_id

        factory = logging.getLogRecordFactory()
        if not getattr(factory, "stamps_request_id", False):
            logging.setLogRecordFactory(stamp_request_id(factory))
