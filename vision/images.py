"""Reading photos: any mode or size in, an 8-bit RGB array out; class folders; zips unpacked safely.

Plants send what their cameras write: grayscale JPEGs, 16-bit TIFFs, palette PNGs, RGBA screenshots,
odd sizes. Everything becomes an ``(H, W, 3)`` uint8 array (grayscale replicated), the backbone
resizes. Files that are not images, are truncated, tiny (< 16 px) or huge (> 40 MP) raise
:class:`InputError` naming the file; folder readers skip them and report them instead.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopfloor.errors import InputError

SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"}
MIN_SIDE = 16
MAX_PIXELS = 40_000_000
MAX_ZIP_BYTES = 1_000_000_000  # uncompressed total a zip may expand to
MAX_ZIP_FILES = 20_000
MAX_ZIP_MEMBER_BYTES = 50_000_000  # one photo inside a zip, uncompressed (an upload's photo may be 25 MB)


def load_image(source: str | Path | bytes, name: str | None = None, max_side: int | None = None) -> np.ndarray:
    """``source`` (a path or the file's bytes) as an (H, W, 3) uint8 array.

    ``max_side``: shrink (aspect kept) to at most this many px on the long side; a JPEG is then decoded at a
    reduced scale already, so a 40 MP photo never costs 120 MB of pixels.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        im: Image.Image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        if im.width * im.height > MAX_PIXELS:  # checked from the header, before any pixel is decoded
            raise InputError(f"{label}: image has {im.width * im.height:,} pixels, more than {MAX_PIXELS:,}; "
                             "resize it first")
        if max_side and max(im.size) > max_side:
            im.draft(None, (max_side, max_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale; others ignore it
        im = ImageOps.exif_transpose(im)
        return _shrunk(_to_rgb(im, label), max_side)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except Image.DecompressionBombError:
        raise InputError(f"{label}: image has more than {MAX_PIXELS:,} pixels; resize it first") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise InputError(f"{label}: not a readable image ({type(e).__name__})") from None


def _shrunk(a: np.ndarray, max_side: int | None) -> np.ndarray:
    if not max_side or max(a.shape[:2]) <= max_side:
        return a
    from PIL import Image

    im = Image.fromarray(a)
    im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(im, dtype=np.uint8).copy()


def _to_rgb(im, label: str) -> np.ndarray:
    """A PIL image in any mode as (H, W, 3) uint8 (16-bit stretched, transparency on white)."""
    from PIL import Image

    if im.width < MIN_SIDE or im.height < MIN_SIDE:
        raise InputError(f"{label}: image is {im.width}x{im.height} px; at least {MIN_SIDE} px per side is needed")
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit / float: stretch to 8 bit
        a = np.asarray(im, dtype=np.float64)
        lo, hi = np.percentile(a, [0.5, 99.5]) if a.size else (0, 1)
        a = np.clip((a - lo) / max(hi - lo, 1e-9) * 255, 0, 255).astype(np.uint8)
        return np.repeat(a[..., None], 3, axis=2)
    if im.mode in ("RGBA", "LA", "P", "PA"):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith(".")


@dataclass
class ImageSet:
    """Images with labels from their folder names (``DIR/<class>/*.jpg``), and what could not be read."""

    paths: list[Path]
    labels: list[str]
    classes: list[str]
    skipped: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {c: self.labels.count(c) for c in self.classes}

    def subset(self, idx) -> ImageSet:
        return ImageSet([self.paths[i] for i in idx], [self.labels[i] for i in idx], self.classes)


def read_folder(root: str | Path, only: list[str] | None = None) -> ImageSet:
    """Labelled images under ``root/<class>/`` (nested folders inside a class count for it)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder; expected DIR/<class>/*.jpg|png")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if only is not None:
        missing = [c for c in only if c not in classes]
        if missing:
            raise InputError(f"{root}: no class folder {missing[0]!r}; class folders are {classes}")
        classes = [c for c in classes if c in only]
    paths, labels = [], []
    for c in classes:
        for p in sorted((root / c).rglob("*")):
            if is_image(p):
                paths.append(p)
                labels.append(c)
    classes = [c for c in classes if c in labels]
    if not paths:
        raise InputError(f"{root}: no images found; expected class folders DIR/<class>/*.jpg|png "
                         f"(suffixes {', '.join(sorted(SUFFIXES))})")
    return ImageSet(paths, labels, classes)


def collect_inputs(source: str | Path, unpack_to: Path | None = None) -> list[Path]:
    """The image files of ``source``: one image, a folder (recursively) or a zip (unpacked to ``unpack_to``)."""
    source = Path(source)
    if not source.exists():
        raise InputError(f"{source}: not found")
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if is_image(p))
    elif source.suffix.lower() == ".zip":
        if unpack_to is None:
            raise InputError("a zip needs a folder to unpack to")
        files = unpack_zip(source, unpack_to)
    else:
        files = [source]
    if not files:
        raise InputError(f"{source}: no images found (suffixes {', '.join(sorted(SUFFIXES))})")
    return files


def unpack_zip(path: Path, dest: Path) -> list[Path]:
    """The images inside a zip, written under ``dest`` (names flattened: no path from the zip is trusted).

    Sizes are checked before anything is written (each member's declared size at most ``MAX_ZIP_MEMBER_BYTES``,
    their sum at most ``MAX_ZIP_BYTES``) and again while each member streams to disk in 1 MB pieces: a member
    that inflates past what it declared is refused at once, so a small zip of zeros never fills memory or disk.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{path.name}: not a readable zip file") from None
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir() and Path(m.filename).suffix.lower() in SUFFIXES
                   and not Path(m.filename).name.startswith(".")]
        _check_declared(path.name, members)
        dest.mkdir(parents=True, exist_ok=True)
        out = []
        for i, m in enumerate(members):
            parts = [p for p in Path(m.filename).parts if p not in ("", ".", "..", "/")]
            name = "__".join(parts[-2:]) if len(parts) > 1 else parts[-1]
            target = dest / f"{i:05d}_{name}"
            _stream_member(zf, m, target, path.name)
            out.append(target)
    return out


def _check_declared(zip_name: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_FILES:
        raise InputError(f"{zip_name}: {len(members):,} images; at most {MAX_ZIP_FILES:,} per zip")
    big = next((m for m in members if m.file_size > MAX_ZIP_MEMBER_BYTES), None)
    if big is not None:
        raise InputError(f"{zip_name}: {big.filename} expands to {big.file_size / 1e6:,.0f} MB; at most "
                         f"{MAX_ZIP_MEMBER_BYTES / 1e6:.0f} MB per photo")
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_BYTES:
        raise InputError(f"{zip_name}: expands to {total / 1e9:,.1f} GB of images; at most "
                         f"{MAX_ZIP_BYTES / 1e9:.0f} GB per zip")


def _stream_member(zf: zipfile.ZipFile, m: zipfile.ZipInfo, target: Path, zip_name: str) -> None:
    """Copy one member to ``target`` in pieces, refusing it as soon as it passes its declared size."""
    limit, written = min(m.file_size, MAX_ZIP_MEMBER_BYTES), 0
    try:
        with zf.open(m) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise InputError(f"{zip_name}: {m.filename} inflates past its declared {m.file_size:,} "
                                     "bytes (a damaged or hostile zip); nothing from it is used")
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
        target.unlink(missing_ok=True)
        raise InputError(f"{zip_name}: {m.filename} cannot be unpacked ({type(e).__name__})") from None
    except InputError:
        target.unlink(missing_ok=True)
        raise
