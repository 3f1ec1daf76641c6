"""Every number the course prints: Frechet distance and the classifier score on the course's
MNIST classifier (``metrics``, ``classifier``), nearest neighbours, precision/recall and
density/coverage (``evaluate``), the classifier two-sample test and diversity (``two_sample``),
FID (``fid``) and the 2-D mixture benchmarks with their scores (``mixtures``).
"""
