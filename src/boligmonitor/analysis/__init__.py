"""Statistics as pure functions over stored observations (formulas and references in docs/methods/).

intervals (Wilson, exact Poisson, Byar) · measures (value with interval, ratio to benchmark) · compare
(benchmark-in-CI rule, peer tests, top 10) · funnel (control limits, overdispersion) · trends (recent
direction, pooled years) · breaks (segmented regression) · goals (ambition levels, attainment) · peers
(benchmark groups, similar municipalities) · groups (changes by group) · derived (ratios of indicators) ·
suppression and disclosure_check (disclosure control and its independent check) · table (the indicator
tables that the CLI, web, fact sheets and API present).
"""
