"""Policy files: safe YAML reading, the condition language, actions, validation and compilation.

Data flows one way: ``_yaml`` (text to located data) -> ``loader`` (checked
:mod:`model`) -> ``compiler`` (slots and condition trees for the backends).
"""
