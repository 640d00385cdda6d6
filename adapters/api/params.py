"""Path parameter types the routers share: ids within SQLite's range, ticket references."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam

MAX_ID = 2**63 - 1
REF_PATTERN = r"^[A-Za-z][A-Za-z0-9]{1,9}-[0-9]{1,9}$"

Ref = Annotated[str, PathParam(pattern=REF_PATTERN, description="e.g. ACME-7")]
ConversationId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
