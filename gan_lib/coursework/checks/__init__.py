"""The exercise checks of every lesson, one function per exercise.

``check_<lesson>_<k>(answer)`` inspects a student's answer and

* returns quietly if it is right,
* raises :class:`gan_lib.coursework.exercises.NotDone` (or lets ``NotImplementedError``
  through) if the stub is still there,
* raises :class:`gan_lib.coursework.exercises.Wrong` with a specific message and a hint
  if it finds a typical mistake.

A notebook's check cell wraps it in :func:`gan_lib.coursework.exercises.check`, which
turns the outcome into one printed verdict line::

    exercises.check("1.1", lambda: checks.check_1_1(answer_1_1));

Each lesson's checks live in their own module (``lesson01`` ... ``lesson11``, with the
cases and thresholds they use); what they share (calling a student's function, reading
back a number or an array) is in ``common``. This package re-exports every check and the
constants notebooks and tests read, so ``from gan_lib import checks; checks.check_3_2(...)``
works. Keeping the checks here (not in the notebooks) lets ``tests/`` run each one
against the solution, the untouched stub and a planted typical bug.
"""

from gan_lib.coursework.checks.lesson01 import JSD_MAX_1_4, check_1_1, check_1_2, check_1_3, check_1_4
from gan_lib.coursework.checks.lesson02 import check_2_1, check_2_2, check_2_3
from gan_lib.coursework.checks.lesson03 import (
    COURSE_DEFAULTS_3_3,
    TCONV_CASES,
    check_3_1,
    check_3_2,
    check_3_3,
    check_3_4,
)
from gan_lib.coursework.checks.lesson04 import BAR_4_4, KL_CASES_4_1, check_4_1, check_4_2, check_4_3, check_4_4
from gan_lib.coursework.checks.lesson05 import check_5_1, check_5_2, check_5_3, check_5_4
from gan_lib.coursework.checks.lesson06 import (
    FD_TOLERANCE_6_4,
    MIN_STEPS_6_4,
    SMOOTH_CASES_6_1,
    check_6_1,
    check_6_2,
    check_6_3,
    check_6_4,
)
from gan_lib.coursework.checks.lesson07 import ATTRIBUTE_MIN, ATTRIBUTE_N, check_7_1, check_7_2, check_7_3
from gan_lib.coursework.checks.lesson08 import (
    CHEAT_8_3,
    MMD_HAND_8_4,
    MMD_X_8_4,
    MMD_Y_8_4,
    PRECISION_FAKE_8,
    PRECISION_REAL_8,
    RADIUS_CASES_8_1,
    RADIUS_POINTS_8,
    check_8_1,
    check_8_2,
    check_8_3,
    check_8_4,
)
from gan_lib.coursework.checks.lesson09 import check_9_1, check_9_2, check_9_3
from gan_lib.coursework.checks.lesson10 import CASES_10_2, SHIFTS_10_1, STEPS_10_3, check_10_1, check_10_2, check_10_3
from gan_lib.coursework.checks.lesson11 import (
    COSINE_MIN_11_2,
    MSE_MAX_11_1,
    RISES_MIN_11_3,
    WORKS_MIN_11_3,
    check_11_1,
    check_11_2,
    check_11_3,
)

__all__ = [
    "check_1_1", "check_1_2", "check_1_3", "check_1_4", "JSD_MAX_1_4",
    "check_2_1", "check_2_2", "check_2_3",
    "check_3_1", "check_3_2", "check_3_3", "check_3_4", "TCONV_CASES", "COURSE_DEFAULTS_3_3",
    "check_4_1", "check_4_2", "check_4_3", "check_4_4", "KL_CASES_4_1", "BAR_4_4",
    "check_5_1", "check_5_2", "check_5_3", "check_5_4",
    "check_6_1", "check_6_2", "check_6_3", "check_6_4", "SMOOTH_CASES_6_1", "MIN_STEPS_6_4",
    "FD_TOLERANCE_6_4",
    "check_7_1", "check_7_2", "check_7_3", "ATTRIBUTE_N", "ATTRIBUTE_MIN",
    "check_10_1", "check_10_2", "check_10_3", "SHIFTS_10_1", "CASES_10_2", "STEPS_10_3",
    "check_8_1", "check_8_2", "check_8_3", "RADIUS_POINTS_8", "RADIUS_CASES_8_1", "PRECISION_REAL_8",
    "PRECISION_FAKE_8", "CHEAT_8_3", "check_8_4", "MMD_X_8_4", "MMD_Y_8_4", "MMD_HAND_8_4",
    "check_9_1", "check_9_2", "check_9_3",
    "check_11_1", "check_11_2", "check_11_3", "MSE_MAX_11_1", "COSINE_MIN_11_2", "RISES_MIN_11_3", "WORKS_MIN_11_3",
]
