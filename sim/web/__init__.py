"""The planner's what-if page (``python run_sim.py serve``): a local web page, Chinese first, that runs a scenario
as a change to the baseline and shows its scorecard, fan chart and district map (issue 17 item 1)."""
