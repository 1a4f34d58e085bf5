"""Reports of provisim runs, and the pytest plugin that writes them.

``provisim run`` and plain pytest load :mod:`harness.reports.plugin`
(``pytest -p harness.reports.plugin --html=report.html``). One module per idea:

- :mod:`~harness.reports.plugin`: the pytest hooks, which only delegate;
- :mod:`~harness.reports.features`: ``.feature`` files collected as tests;
- :mod:`~harness.reports.gherkin`: the Gherkin report, ``report.html`` (``--provisim-html``);
- :mod:`~harness.reports.gherkin_page`: its page: the data as JSON and the script building it;
- :mod:`~harness.reports.steplog`: a scenario's steps as they run, with what each one sent;
- :mod:`~harness.reports.fresh`: each ``provisim run`` leaves a report directory of its own;
- :mod:`~harness.reports.page`: provisim's part of the pytest-html page;
- :mod:`~harness.reports.timeline`: the SVG timeline of a scenario's sync cycles;
- :mod:`~harness.reports.exchanges`: the table of a scenario's SCIM exchanges;
- :mod:`~harness.reports.redaction`: artifact text made safe to show;
- :mod:`~harness.reports.artifacts`: reading ``traffic.jsonl`` and ``timeline.json``;
- :mod:`~harness.reports.cucumber`: pytest-bdd's scenario report carried across xdist;
- :mod:`~harness.reports.progress`: the live progress display of ``provisim run``;
- :mod:`~harness.reports.shapes`: what rides on pytest's reports, as TypedDicts.

This package imports none of them, so loading one costs only what it needs.
"""
