"""Set-up shared by the preparedness tests: a drill planned by the 雅安市 official with the
芦山县 team taking part (and not 另一个救援队), through the services as a user would."""

import datetime as dt

from django.utils import timezone

from preparedness import services


def plan_drill(official, *participants, objectives=("搜救倒塌的学校",), **kw):
    return services.create_drill(
        by=official,
        title=kw.pop("title", "芦山县地震救援联合演练"),
        scenario=kw.pop("scenario", "6.1级地震，学校倒塌。"),
        region_code=kw.pop("region_code", "511826"),
        starts_at=kw.pop("starts_at", timezone.now() + dt.timedelta(days=1)),
        objectives=list(objectives),
        participants=[p.pk for p in participants],
        **kw,
    )


def due(days: int = 10) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def reviewed_drill(official, ngo, *, gaps=1):
    """A drill run, ended and reviewed, with ``gaps`` follow-up items owned by ``ngo``."""
    drill = plan_drill(official, ngo)
    services.run_drill(drill=drill, by=official)
    services.end_drill(drill=drill, by=official)
    objective = drill.objectives.get()
    services.review_objective(
        objective=objective,
        by=official,
        worked="集结迅速",
        gaps=[{"title": f"补充破拆工具{i}", "owner": ngo.pk, "due_on": due()} for i in range(gaps)],
    )
    drill.refresh_from_db()
    return drill
