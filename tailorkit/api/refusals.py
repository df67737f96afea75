"""How the services' refusals become API answers, beside the handlers in ``api.py`` that send them:
``renames`` for the routes whose request body names a field differently from the service, and
``current_of`` for the row a 409 shows as it is now saved."""

import functools

from django.core.exceptions import ValidationError

from tailorkit.core.errors import as_dict
from tailorkit.measures.models import Measure, Observation
from tailorkit.projects.models import (
    Barrier,
    EngagementPlan,
    EngagementRecord,
    Goal,
    Iteration,
    Project,
    Review,
    Specification,
    StakeholderGroup,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.support.models import SupportContact

from .schemas.engagement import EngagementPlanOut, EngagementRecordOut, StakeholderGroupRowOut
from .schemas.goals import BarrierOut, GoalOut
from .schemas.matching import AppraisalOut, OptionOut
from .schemas.measures import MeasureOut, ValueOut
from .schemas.planning import CriterionOut, SpecificationOut, TaskOut
from .schemas.projects import IterationOut, ProjectOut
from .schemas.review import ReviewOut
from .schemas.support import SupportContactOut


def renames(mapping):
    """Route decorator: a ValidationError from the route or its services is raised again with its
    fields named as in the request body (``mapping``: service name → request name), so the one
    handler in ``api.py`` can answer it like any other."""

    def decorate(view):
        @functools.wraps(view)  # keeps the signature ninja reads the parameters from
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except ValidationError as exc:
                raise ValidationError(as_dict(exc, mapping)) from exc

        return wrapper

    return decorate


# How the row a stale edit was refused for is shown in the 409 body.
CURRENT_SCHEMAS = {Goal: GoalOut, Barrier: BarrierOut, StrategyOption: OptionOut, Iteration: IterationOut,
                   Specification: SpecificationOut, Task: TaskOut, SuccessCriterion: CriterionOut, Review: ReviewOut,
                   Measure: MeasureOut, Observation: ValueOut, StakeholderGroup: StakeholderGroupRowOut,
                   EngagementPlan: EngagementPlanOut, EngagementRecord: EngagementRecordOut,
                   SupportContact: SupportContactOut}


def current_of(obj):
    if isinstance(obj, dict):  # an appraisal: {criterion: Appraisal}
        return {c: AppraisalOut.from_orm(a).model_dump(mode="json") for c, a in obj.items()}
    if isinstance(obj, Project):
        # Python values, encoded by ninja's renderer like a 200 body (its date format differs from
        # pydantic's JSON mode), as the project route has always answered.
        return ProjectOut.from_orm(obj).dict()
    return CURRENT_SCHEMAS[type(obj)].from_orm(obj).model_dump(mode="json")
