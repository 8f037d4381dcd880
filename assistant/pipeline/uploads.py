"""What a person uploads, read for the edges: photos (alone or zipped) with their heatmaps, spreadsheets.

The UI and the API import these instead of the component packages that do the reading
(:mod:`shopfloor.vision.images`, :mod:`shopfloor.finetune.data`), so a change of component stays behind the
pipeline. Every function raises :class:`~shopfloor.errors.InputError` for input a person can fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

def photo(source: str | Path | bytes, name: str | None = None, shrink: bool = False) -> np.ndarray:
    """An uploaded photo as RGB pixels (``shrink``: to the long side the models read, for a gallery)."""
    from shopfloor.vision.images import load_image
    from shopfloor.vision.model import MAX_SIDE

    return load_image(source, name=name, max_side=MAX_SIDE if shrink else None)


def with_heatmap(source: str | Path | bytes | np.ndarray, heatmap, name: str | None = None) -> np.ndarray:
    """The photo with its anomaly heatmap blended over it (a photo already read is used as it is)."""
    import numpy as np

    from shopfloor.vision.results import overlay

    img = source if isinstance(source, np.ndarray) else photo(source, name)
    return overlay(img, heatmap)


def unpack_photos(zip_path: Path, dest: Path) -> list[Path]:
    """The photos of an uploaded zip, written under ``dest`` (names kept, paths never trusted, sizes checked)."""
    from shopfloor.vision.images import unpack_zip

    return unpack_zip(zip_path, dest)


def sheets(path: str | Path) -> list[str]:
    """The sheet names of an uploaded XLSX workbook."""
    from shopfloor.finetune.data import sheets as names

    return names(path)


def table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """An uploaded CSV or XLSX (``sheet``: which one) as text cells."""
    from shopfloor.finetune.data import read_table

    return read_table(path, sheet=sheet)
