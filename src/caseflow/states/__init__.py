"""Case workflows (tier 1, tier 2, after-sales, disputes) on ``transitions``.

Nothing here yet: the workflows are the subject of issue 3, which builds on the policy
engine. This package exists so the layout is stable for apps that pin it.
"""
