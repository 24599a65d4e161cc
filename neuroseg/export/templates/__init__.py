"""The generated code's templates, one file per view and kind of code (see :mod:`neuroseg.export.template`).

``lesson_*`` files are the lesson's own steps (nibabel, NumPy, scikit-learn,
matplotlib, seaborn); ``library_*`` files call neuroseg's public API;
``figure_*`` files are the figures both share, written once.
"""
