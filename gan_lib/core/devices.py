"""What TensorFlow will compute on: the GPUs it lists, in one line for a run header.

    python -m gan_lib.core.devices     # what `make venv GPU=1` prints at its end

`make train`'s header and every notebook's run header (:func:`gan_lib.coursework.course.run_header`)
print this, so a student with a GPU sees at once whether TensorFlow found it.
"""

from __future__ import annotations

import platform


def gpu_names() -> list[str]:
    """One name per GPU TensorFlow lists (``tf.config.list_physical_devices("GPU")``).

    The card's name (e.g. ``NVIDIA GeForce RTX 3060``) when TensorFlow reports it, else the
    device's own name (``/physical_device:GPU:0``).
    """
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
        except (ValueError, RuntimeError, TypeError, AttributeError):
            details = {}
        card = details.get("device_name")
        names.append(f"{card} ({device.name})" if card else device.name)
    return names


def describe() -> str:
    """``x86_64, GPU: NVIDIA ... (/physical_device:GPU:0)`` or ``x86_64, no GPU: running on the CPU``.

    When this TensorFlow was built for CUDA yet lists no GPU, says where to look (the usual case
    of a `make venv GPU=1` environment without a working driver).
    """
    import tensorflow as tf

    gpus = gpu_names()
    machine = platform.machine()
    if gpus:
        return f"{machine}, GPU: {', '.join(gpus)}"
    hint = ""
    if tf.test.is_built_with_cuda():
        hint = (" (this TensorFlow is the CUDA build but lists no GPU: check that `nvidia-smi` shows the card "
                "and that the NVIDIA driver is installed; under WSL 2 install the Windows driver)")
    return f"{machine}, no GPU: running on the CPU{hint}"


def main() -> int:
    import tensorflow as tf

    print(f"TensorFlow {tf.__version__}: {describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
