"""TD's parameter classes: ``Par``, ``ParGroup``, ``Page``, ``Sequence``/``SequenceBlock``, the
collections (``op.par``, ``op.parGroup``, ``op.seq``) and the built-in parameters of each operator type.

Parameters know their owner only as an object with a small set of methods (``_parValueChanged``,
``_parPulsed``, ``_evalParExpression``, ``op``, ...); they import nothing from operators or process.
"""
