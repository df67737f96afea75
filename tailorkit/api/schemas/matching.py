"""Step 2 of the tailoring cycle: candidate strategies for a barrier ("options"), their APEASE
appraisal and the choice of one for the iteration."""

from ninja import Field, Schema

from tailorkit.projects.models import APEASE, Iteration, StrategyOption

from .common import Id, In, ItemKey, ItemRef, Version, model_text, text
from .goals import Rating


class AppraisalOut(Schema):
    criterion: str
    rating: int | None
    note: str
    version: int


class OptionOut(Schema):
    id: int
    barrier_id: int
    name: str
    item: ItemRef | None
    custom_name: str
    description: str
    version: int
    appraisals: list[AppraisalOut]

    @staticmethod
    def resolve_appraisals(obj):
        return list(obj.appraisals.all())


class OptionIn(In):
    """Either ``item`` (a strategy of the project's own catalogue) or ``name`` and ``description``."""

    barrier_id: Id
    item: ItemKey | None = None
    name: model_text(StrategyOption, "custom_name") | None = None
    description: model_text(StrategyOption, "description") = ""


class OptionPatch(In):
    version: Version
    description: model_text(StrategyOption, "description") | None = None
    name: model_text(StrategyOption, "custom_name") | None = Field(None, description="Custom strategies only.")


class CriterionAppraisalIn(In):
    rating: Rating | None = Field(None, description="1 (poor) to 5 (good); null for not rated.")
    note: text(2000) = ""
    version: Version = Field(0, description="The version you read; 0 for a criterion not appraised yet.")


def _apease_field(code):
    return Field(None, alias=code, description=f"The appraisal on {code}; left out, it stays as it is.")


class AppraisalIn(In):
    """The APEASE criteria (Michie, Atkins & West 2014) to save; the others stay as they are."""

    acceptability: CriterionAppraisalIn | None = _apease_field("acceptability")
    practicability: CriterionAppraisalIn | None = _apease_field("practicability")
    effectiveness: CriterionAppraisalIn | None = _apease_field("effectiveness")
    affordability: CriterionAppraisalIn | None = _apease_field("affordability")
    side_effects: CriterionAppraisalIn | None = _apease_field("side-effects")
    equity: CriterionAppraisalIn | None = _apease_field("equity")

    def given(self):
        """{criterion code: CriterionAppraisalIn} of the criteria in the request."""
        return {c: getattr(self, c.replace("-", "_")) for c in APEASE if getattr(self, c.replace("-", "_"))}


class ChoiceIn(In):
    version: Version
    option_id: Id
    justification: model_text(Iteration, "choice_justification", 1)


# ---- the combined ranking of strategies for several barriers ----------------------------------------

class RankingBarrierOut(Schema):
    id: int
    name: str
    item: ItemRef


class RankingShareOut(Schema):
    barrier_id: int
    percent: float | None = Field(description="Percent of experts endorsing; null when the source gives only "
                                              "a level 1 or 2 endorsement.")
    indirect: bool = Field(description="Reached through a crosswalk, not from the barrier's own determinant.")
    via: str = Field(description="The crosswalk counterpart the evidence came through; empty when direct.")
    source: str


class RankedStrategyOut(Schema):
    rank: int
    strategy: ItemRef
    direct_total: float = Field(description="Summed direct percentages.")
    indirect_total: float = Field(description="Summed percentages reached through a crosswalk, kept apart.")
    endorsed_without_percent: int
    shares: list[RankingShareOut]
    mean_importance: float | None
    mean_feasibility: float | None
    ratings_source: str


class RankingOut(Schema):
    barriers: list[RankingBarrierOut]
    custom_barrier_ids: list[int] = Field(description="Custom barriers: no source has evidence about them.")
    what_if: bool = Field(description="True when the barriers were given in the request, not the focus.")
    rule: str
    strategies: list[RankedStrategyOut]
