"""Routes for the organisation's staff, signed in (Django's session): never public.

GET /api/v3/campaigns/{id}/delivery/: proof of delivery per target, as the admin's screen
shows it (services.delivery_report): counts, the last failure and what to do, no supporter.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Router, Schema
from ninja.security import django_auth
from wagtail.api.v3.errors import ProblemDetail

from campaigns.api_schemas import NOT_FOUND, CampaignId
from campaigns.models import CampaignPage

from .services.delivery_report import campaign_targets_report
from .services.permissions import may_see_delivery

router = Router(tags=["staff"], auth=django_auth)


class TargetDeliverySchema(Schema):
    target_id: int
    target: str
    published: bool
    letters: int
    waiting: int
    waiting_for_approval: int
    accepted: int
    delivered: int
    bounced: int
    complained: int
    failed: int
    withheld: int
    suppressed: str  # "", "bounced" or "complained"
    last_failure: str
    last_failure_at: datetime | None
    advice: str


class DeliveryReportSchema(Schema):
    campaign_id: int
    targets: list[TargetDeliverySchema]


@router.get(
    "/{campaign_id}/delivery/",
    response={
        200: DeliveryReportSchema,
        401: ProblemDetail,
        403: ProblemDetail,
        404: ProblemDetail,
        422: ProblemDetail,
    },
    url_name="campaign_delivery",
    operation_id="campaigns_delivery",
    summary="Proof of delivery per target (staff, signed in)",
)
def delivery(request, response: HttpResponse, campaign_id: CampaignId):
    response["Cache-Control"] = "private, no-store"
    campaign = CampaignPage.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(NOT_FOUND)
    if not may_see_delivery(request.user, campaign):
        raise PermissionDenied
    rows = campaign_targets_report(campaign)
    return {"campaign_id": campaign.pk, "targets": [row.as_dict() for row in rows]}
