"""Coursework: the notebook header (``course``), the exercise runner (``exercises``), every
lesson's checks (``checks``), student versions and grading plans (``assignments``) and the
sandboxed grader (``grade``, ``grade_runner``).
"""
