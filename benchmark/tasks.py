"""Thin tasks: ids in, a service call. Rendering again gives the same report, so a task that
runs twice (a worker killed mid-way, acks late) does no harm."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=120, time_limit=180)
def report_generate(report_id: int) -> None:
    services.report_render(report_id=report_id)
