"""Reading what cameras write: odd modes and sizes in, one RGB uint8 array out; bad files named, zips safe."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from shopfloor.errors import InputError
from shopfloor.vision.images import collect_inputs, load_image, read_folder, unpack_zip


def _bytes(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("mode, fmt", [("L", "JPEG"), ("RGB", "PNG"), ("RGBA", "PNG"), ("P", "PNG"), ("I;16", "PNG"),
                                       ("L", "BMP"), ("L", "TIFF")])
def test_every_mode_becomes_rgb_uint8(mode, fmt):
    a = (np.arange(40 * 30) % 256).reshape(30, 40).astype(np.uint8)
    img = Image.fromarray(a).convert(mode) if mode != "I;16" else Image.fromarray((a.astype(np.uint16) * 200), "I;16")
    out = load_image(_bytes(img, fmt), name=f"x.{fmt.lower()}")
    assert out.shape == (30, 40, 3) and out.dtype == np.uint8
    assert out.std() > 10  # the content survived (16-bit stretched, not clipped to white)


def test_bad_files_are_named_not_tracebacks(tmp_path):
    with pytest.raises(InputError, match="notes.jpg: not a readable image"):
        load_image(b"these are notes", name="notes.jpg")
    with pytest.raises(InputError, match="at least 16 px"):
        load_image(_bytes(Image.new("L", (8, 40)), "PNG"), name="thin.png")
    with pytest.raises(InputError, match="more than 40,000,000"):  # a decompression bomb is refused from its header
        load_image(_bytes(Image.new("1", (8000, 6000)), "PNG"), name="bomb.png")
    with pytest.raises(InputError, match="file not found"):
        load_image(tmp_path / "missing.png")
    truncated = _bytes(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)), "JPEG")[:200]
    with pytest.raises(InputError, match="not a readable image"):
        load_image(truncated, name="cut.jpg")


def test_read_folder_labels_from_folders_and_explains_an_empty_one(tmp_path):
    for c in ("ok", "scratch"):
        (tmp_path / c).mkdir()
        for i in range(2):
            Image.new("L", (20, 20), 100).save(tmp_path / c / f"{i}.png")
    (tmp_path / "ok" / "readme.txt").write_text("not an image")
    s = read_folder(tmp_path)
    assert s.classes == ["ok", "scratch"] and s.counts() == {"ok": 2, "scratch": 2}
    assert read_folder(tmp_path, only=["ok"]).classes == ["ok"]
    with pytest.raises(InputError, match="no class folder 'good'"):
        read_folder(tmp_path, only=["good"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no images found"):
        read_folder(tmp_path / "empty")


def test_zip_members_cannot_escape_and_names_are_flattened(tmp_path):
    z = tmp_path / "photos.zip"
    png = _bytes(Image.new("L", (20, 20), 90), "PNG")
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../evil.png", png)
        zf.writestr("/abs/path/a.png", png)
        zf.writestr("line1/b.png", png)
        zf.writestr("notes.txt", "x")
        zf.writestr("__MACOSX/._c.png", b"junk")
    out = unpack_zip(z, tmp_path / "unpacked")
    assert len(out) == 3 and all(p.parent == tmp_path / "unpacked" for p in out)
    assert not (tmp_path.parent / "evil.png").exists()
    assert collect_inputs(z, tmp_path / "u2")[0].suffix == ".png"
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    with pytest.raises(InputError, match="not a readable zip"):
        unpack_zip(tmp_path / "bad.zip", tmp_path / "u3")
