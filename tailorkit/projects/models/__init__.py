"""The projects app's tables: the tailoring cycle (``cycle.py``) and stakeholder engagement
(``engagement.py``). Everything is importable from ``tailorkit.projects.models``."""

from .cycle import *  # noqa: F403 (the cycle's tables, as before this became a package)
from .cycle import ProjectOwned, Step  # noqa: F401 (named for readers and linters)
from .engagement import (  # noqa: F401
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    StakeholderGroup,
    StakeholderPerson,
)
