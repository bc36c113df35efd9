"""The digital twin's operations (transitional: the concepts are being cut out of features)."""

from misto.twin.services.features import *  # noqa: F403
from misto.twin.services.features import (  # noqa: F401
    _DISTRICT_SQL,
    _NEAREST_PG,
    _NEAREST_SL,
    _NUMBER_SQL,
)
