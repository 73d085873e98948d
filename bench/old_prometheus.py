"""django-prometheus's own request middlewares and database wrapper, as Clarion ran them
before its lean ones (cms/base/request_metrics.py, cms/base/database), for bench_ops.py to measure
both in one run. Their metrics go to a private registry: the lean ones use the same names.
"""

from django_prometheus import middleware
from prometheus_client import CollectorRegistry

_REGISTRY = CollectorRegistry()


class PrivateMetrics(middleware.Metrics):
    _instance = None

    def register_metric(self, metric_cls, name, documentation, labelnames=(), **kwargs):
        return metric_cls(name, documentation, labelnames=labelnames, registry=_REGISTRY, **kwargs)


class PrometheusBeforeMiddleware(middleware.PrometheusBeforeMiddleware):
    metrics_cls = PrivateMetrics


class PrometheusAfterMiddleware(middleware.PrometheusAfterMiddleware):
    metrics_cls = PrivateMetrics
