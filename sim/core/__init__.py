"""The ground floor: what every other layer shares, importing nothing from ``sim``.

``districts`` (the ten districts, the city zone, the plan's roles), ``fields`` (the declarative DSL that
scenarios, levers, sweep and calibration specs are written in, with the one walk over dotted paths),
``codes`` (statuses, hukou classes, homestead states and the stock-cell layout), ``ages`` (the life-course
ages), ``catalogue`` (every indicator, defined once), ``calendar`` (days since the period start) and
``streams`` (the keyed random streams).
"""
