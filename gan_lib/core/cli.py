"""What every course command line shares: one-line errors and a clean stop on Ctrl-C.

* :class:`OneLineParser`: an ``ArgumentParser`` whose usage errors are a single
  ``error: ...`` line and exit code 2, so ``python -m gan_lib.train``,
  ``python -m gan_lib.lessons.collapse`` and ``benchmarks/bench.py`` fail alike
  and a student reads the problem, not a usage dump.
* :class:`StopOnCtrlC`: Ctrl-C during ``fit`` stops training at the next batch
  or epoch boundary, after that epoch's checkpoint, so a stopped run resumes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line, ``error: ...``, and exit code 2 (like every course CLI)."""

    def error(self, message):
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


class StopOnCtrlC:
    """Ctrl-C (SIGINT) during ``fit`` stops training at the next batch or epoch boundary.

    ``with StopOnCtrlC() as check:`` gives a Keras callback to put last in ``fit``'s list.
    The signal handler only sets a flag; the callback (last, so a finished epoch's
    checkpoint is written first) raises ``KeyboardInterrupt`` at the boundary.
    Raising inside the handler instead would land wherever Python happens to be, and some
    library code catches everything (bare ``except:``), which can swallow the interrupt and
    let training run on. A second Ctrl-C interrupts at once (the previous handler is back).
    """

    def __enter__(self):
        import keras

        stopper = self

        class Check(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                stopper.raise_if_requested()

            def on_epoch_end(self, epoch, logs=None):
                stopper.raise_if_requested()

        self.requested, self._previous = False, None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return Check()

    def _handler(self, signum, frame):
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)

    def raise_if_requested(self):
        """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed since training began."""
        if self.requested:
            raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False
