"""Case workflows on ``transitions``: definitions (data), guards (a registry), machines (one per definition).

- :mod:`.definition` — workflow definitions as YAML or Python data, extension, validation
- :mod:`.guards` — the guard registry and caseflow's guards
- :mod:`.machine` — one shared ``transitions.Machine`` per definition, no models
- :mod:`.diagram` — mermaid state diagrams
- ``definitions/`` — the shipped workflows (tier1, tier2, after-sales, dispute, chargeback)

Events are applied to cases by :class:`caseflow.workflow.Workflows`.
"""
