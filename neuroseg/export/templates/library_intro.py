"""The first step of neuroseg's code: what it rebuilds, where to run it, the imports."""

# %% [markdown]
# # __title__
#
# This notebook rebuilds a view of neuroseg through its public API (the fit uses neuroseg's own steps: fast mode, its masks or its tissue model). Run it in a folder that holds __inputs__, with neuroseg installed.

# %%
import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
__imports__
