"""Every lever by its YAML key, in the order the engine asks them (the order is part of the random draws)."""

from __future__ import annotations

from .flexible_worker_pension import FlexibleWorkerPension
from .homestead_reform import HomesteadReform
from .industry_development import IndustryDevelopment
from .lever import Lever
from .new_town_development import NewTownDevelopment
from .pre_2018_settlement import Pre2018Settlement
from .public_services import PublicServices
from .resident_based_services import ResidentBasedServices
from .rural_talent_service import RuralTalentService
from .talent_attraction import TalentAttraction
from .zero_threshold_settlement import ZeroThresholdSettlement

#: lever name (the YAML key under ``policies:``) -> class
LEVERS: dict[str, type[Lever]] = {cls.name: cls for cls in (
    ZeroThresholdSettlement,
    HomesteadReform,
    TalentAttraction,
    RuralTalentService,
    PublicServices,
    FlexibleWorkerPension,
    NewTownDevelopment,
    ResidentBasedServices,
    IndustryDevelopment,
    # last, so that it scales the conversion hazards the plan's levers leave
    Pre2018Settlement,
)}

#: levers of history, not of the plan (no what-if file in scenarios/levers/; docs/model.md 7.10)
HISTORY_LEVERS = ("pre_2018_settlement",)
