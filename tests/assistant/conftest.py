"""Fixtures for pipeline, API and UI tests: the demo workspace (built once per session) and writable copies."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def assistant(demo_workspace):
    """An Assistant on the shared demo workspace, language model off (tests that need it ask for llm_assistant)."""
    from assistant.pipeline import Assistant

    return Assistant(demo_workspace, use_llm=False)


@pytest.fixture(scope="session")
def llm_assistant(demo_workspace, llm):
    from assistant.pipeline import Assistant

    return Assistant(demo_workspace, use_llm=True)


@pytest.fixture()
def writable_assistant(demo_workspace, tmp_path):
    """An Assistant on a private copy of the demo workspace, for tests that add, remove or correct."""
    from assistant.pipeline import Assistant
    from assistant.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(demo_workspace.root, root)
    return Assistant(Workspace.open(root), use_llm=False)
