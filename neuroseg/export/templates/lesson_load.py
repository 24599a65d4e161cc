"""The lesson's first steps: load the images, print a header, take the slice, keep the voxels > 0 in every image."""

# %% [markdown]
# # __title__
#
# This notebook rebuilds a view of neuroseg, step by step as the lesson does it, with nibabel, NumPy, scikit-learn, matplotlib and seaborn only. Run it in a folder that holds __inputs__.

# %%
import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import seaborn as sns
from matplotlib.colors import ListedColormap
from sklearn.mixture import GaussianMixture

# %% [markdown]
# ## Load the images and print the first one's header
#
# nibabel reads each file; `get_fdata()` gives its voxels as float64, scaled as the header says. The header holds the voxel size, the data type and the affine that places the voxels in the scanner's space.

# %%
__load__

# %% [markdown] tags=["slice"]
# ## Take one slice
#
# Slice __index__ along the array's axis __axis__ (axis __axis_number__).

# %% tags=["slice"]
__take_slice__

# %% [markdown]
# ## Keep the voxels that are non-zero in __every__
#
# The lesson's mask: finite and > 0 in __every__.

# %%
mask = __mask_rule__
print(mask.sum(), 'voxels in the mask')
names = __names__
values = __values__

# %% include figure_histograms
