"""Coursework: the notebook header (``course``), the exercise runner (``exercises``), every
lesson's checks (the package ``checks``, one module per lesson), the exercise markup and student
versions (``assignments``), the grading plan and running cells (``cells``), and the sandboxed
grader (``grade``, with ``sandbox`` for the limits and isolation and ``grade_runner`` for the
child process).
"""
