"""Survey endpoint: CSAT and NPS results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from adapters.api import schemas as s
from adapters.api.auth import AppDep, token_with
from adapters.api.errors import AUTH_ERRORS, NOT_FOUND
from bot.features.surveys.report import report_json, survey_report

router = APIRouter()


@router.get(
    "/surveys",
    response_model=s.SurveyResults,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("surveys:read")],
    tags=["surveys"],
)
async def surveys(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
    project: Annotated[str | None, Query(max_length=200, description="Project name")] = None,
) -> s.SurveyResults:
    """CSAT and NPS: totals, per month (UTC), and every survey, oldest first."""
    records = await app.surveys.find(client_ref=client, project=project)
    return s.SurveyResults.model_validate(
        {
            **report_json(survey_report(records)),
            "surveys": [r.__dict__ for r in records],
        }
    )
