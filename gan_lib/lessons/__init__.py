"""The experiments the lessons run, one module per lesson topic: ``theory`` (01), ``classic`` and
``vanilla`` (02), ``tracking`` (03), ``collapse`` (04), ``panel`` (05), ``stabilise`` (06),
``conditional`` (07), ``provenance`` and ``cycle`` (09). Each builds on ``gan_lib.core``; none has a
training loop of its own unless its docstring says why.
"""
