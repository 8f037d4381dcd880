"""shopfloor: the one import namespace of the distribution, and its ground floor.

The modules directly in this package are the ground floor that every component may use and that
imports none of them: :mod:`shopfloor.errors` (domain errors), :mod:`shopfloor.models` (the model
registry), :mod:`shopfloor.config`, :mod:`shopfloor.workspace` and :mod:`shopfloor.db` (workspace
paths, settings and storage). The components live in subpackages mapped from the repository's
top-level folders (see pyproject.toml): ``shopfloor.finetune`` (text classifier), ``shopfloor.index``
(knowledge index), ``shopfloor.sensors`` (sensor models) and ``shopfloor.prompts``; the application
that composes them is ``shopfloor.assistant``. tests/test_architecture.py keeps the layering so.
"""

__version__ = "0.1.0"
