"""Directory endpoints: clients, their projects and contacts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from adapters.api import schemas as s
from adapters.api.auth import AppDep, token_with
from adapters.api.errors import AUTH_ERRORS, NOT_FOUND
from adapters.api.params import MAX_ID

router = APIRouter()


@router.get(
    "/clients",
    response_model=list[s.ClientOut],
    responses=AUTH_ERRORS,
    dependencies=[token_with("clients:read")],
    tags=["directory"],
)
async def list_clients(app: AppDep) -> list[s.ClientOut]:
    return [
        s.ClientOut(code=c.code, name=c.name, created_at=c.created_at)
        for c in await app.directory.list_clients()
    ]


@router.get(
    "/projects",
    response_model=list[s.ProjectOut],
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("projects:read")],
    tags=["directory"],
)
async def list_projects(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
) -> list[s.ProjectOut]:
    return [_project(p, c) for p, c in await app.directory.list_projects(client)]


@router.get(
    "/projects/{project_id}",
    response_model=s.ProjectOut,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("projects:read")],
    tags=["directory"],
)
async def get_project(
    app: AppDep, project_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]
) -> s.ProjectOut:
    return _project(*await app.directory.project(project_id))


@router.get(
    "/contacts",
    response_model=list[s.ContactOut],
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("contacts:read")],
    tags=["directory"],
)
async def list_contacts(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
) -> list[s.ContactOut]:
    return [
        s.ContactOut(handle=c.handle, name=c.name, client=c.client, identities=list(c.identities))
        for c in await app.directory.list_contacts(client)
    ]


def _project(project: Any, client: Any) -> s.ProjectOut:
    return s.ProjectOut(
        id=project.id,
        client_code=client.code,
        client_name=client.name,
        name=project.name,
        delivered_on=project.delivered_on,
        accepted_on=project.accepted_on,
        warranty_until=project.warranty_until,
        sla_tier=project.sla_tier,
        timezone=project.timezone,
    )
