"""A made-up lesson 98 for the tests of student versions and grading: three exercises whose checks
need no TensorFlow (so a graded submission takes a second, not a TensorFlow import), and a slow cell
that no exercise needs (grading must never run it)."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gan_lib import assignments, course

NAME = "notebooks/98_made_up.ipynb"

SOLUTIONS = {  # exercise -> (cell index in the notebook, solution code as the student would write it)
    "98.1": (5, "answer_98_1 = 6 * 7"),
    "98.2": (8, "def total(xs):\n    return sum(xs)"),
    "98.3": (11, "answer_98_3 = max(numbers)"),
}


def instructor_notebook():
    cells = [
        new_markdown_cell(f"# Lesson 98 · Made up\n\n{course.colab_badge(NAME)}\n\n## Learning objectives\n\n"
                          "1. test the course's tools\n\n**Time:** none"),
        new_code_cell(course.SETUP_CELL),
        new_code_cell("from gan_lib import exercises\nnumbers = [1, 2, 3]"),
        new_code_cell("import time\ntime.sleep(600)  # no exercise needs this cell\nslow = 1"),
        new_markdown_cell("## Exercises\n\n### Exercise 98.1 (easy)\n\nSet `answer_98_1` to six times seven."),
        new_code_cell("### BEGIN SOLUTION\n### STUB: answer_98_1 = None\nanswer_98_1 = 6 * 7\n### END SOLUTION\n"
                      "print(answer_98_1)"),
        new_code_cell('exercises.check("98.1", lambda: exercises.expect_close(answer_98_1, 42, 0, "your product", '
                      'hint="6 * 7"));'),
        new_markdown_cell("### Exercise 98.2 (medium)\n\nWrite `total(xs)`, the sum of a list.\n\n"
                          "<!-- BEGIN SOLUTION -->\nThe solution uses sum().\n<!-- END SOLUTION -->"),
        new_code_cell("def total(xs):\n    ### BEGIN SOLUTION\n    return sum(xs)\n    ### END SOLUTION"),
        new_code_cell('exercises.check("98.2", lambda: exercises.expect_close(total(numbers), 6, 0, '
                      '"total([1, 2, 3])", hint="add them up"));'),
        new_markdown_cell("### Exercise 98.3 (open)\n\nSet `answer_98_3` to the largest of `numbers`."),
        new_code_cell("### BEGIN SOLUTION\n### STUB: answer_98_3 = None\nanswer_98_3 = max(numbers)\n### END SOLUTION"),
        new_code_cell('exercises.check("98.3", lambda: exercises.expect_close(answer_98_3, 3, 0, "the largest", '
                      'hint="max"));\nprint("your answer:", answer_98_3)'),
        new_markdown_cell("## Summary\n\nDone."),
        new_code_cell("print('the end')"),
    ]
    nb = new_notebook(cells=cells)
    nb.cells[5].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    nb.cells[6].outputs = [nbformat.v4.new_output("stream", name="stdout", text="[v] Exercise 98.1: pass\n")]
    nb.cells[14].outputs = [nbformat.v4.new_output("stream", name="stdout", text="the end\n")]
    return nb


def student_notebook():
    return assignments.student_version(instructor_notebook(), NAME)


def submission(**answers):
    """The student version with the given exercises' cells replaced, e.g. submission(**{"98.1": "answer_98_1 = 1"})."""
    nb = student_notebook()
    for number, code in answers.items():
        nb.cells[SOLUTIONS[number][0]].source = code
    return nb
