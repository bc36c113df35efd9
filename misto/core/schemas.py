"""Typed building blocks for the modules' API schemas.

Database keys are 64-bit: an id outside that range is invalid input (422), not a
database overflow (500). Every module uses these instead of a bare ``int``.
"""

from typing import Annotated

from pydantic import Field

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Field(ge=1, le=1000)]
