from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Clarion site"

    def ready(self):
        from celery.signals import task_postrun, task_prerun
        from django.core.signals import request_finished
        from django.db.models.signals import post_save

        from cms import request_logs
        from cms.base import checks, surge  # noqa: F401 - checks registers system checks
        from cms.base.models import SurgeMode
        from cms.base.vendor import wagtail_renditions

        wagtail_renditions.skip_rewriting_prefetched_renditions()
        request_finished.connect(request_logs.forget, dispatch_uid="clarion-request-id")
        task_prerun.connect(request_logs.set_task_id, dispatch_uid="clarion-task-id")
        task_postrun.connect(request_logs.forget, dispatch_uid="clarion-task-id")
        post_save.connect(surge.switched, sender=SurgeMode, dispatch_uid="clarion-surge")
