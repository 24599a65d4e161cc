"""The Segment view through neuroseg: the settings, ``segment_paths``, the table, the labelled scatter, the label map."""

# %% include library_intro

# %% [markdown]
# ## The settings
#
# Every option of the fit that the model uses, as the view used it.

# %%
fit = __fit_options__
options = RunOptions(k=__k__, seed=__seed__, axis=__axis__, slice=__slice__, resample=__resample__, volume=__volume__, mask=__mask__, fit=fit)
# mask = __mask_words__

# %% [markdown]
# ## Load, mask and fit
#
# `segment_paths` loads the files as channels, applies the mask, builds the (n_voxels, n_channels) intensities and fits the model the options name.

# %%
files, names = __files__, __names__
segmentation, notices = segment_paths(files, options, names)
for notice in notices + list(segmentation.warnings):
    print(notice)
print(segmentation.caption())
result = segmentation.result
print(f'{len(result.labels):,} voxels labelled; BIC {result.bic:,.1f}')

# %% [markdown]
# ## The cluster table
#
# Labels are numbered by ascending mean of the first image (1 = darkest).

# %%
print(segmentation.table().to_string(index=False))
values = list(segmentation.features.X.T)

# %% include figure_histograms

# %%
points = segmentation.features.X if result.corrected is None else result.corrected  # bias-corrected with a field
labels = result.labels

# %% include figure_clusters

# %% include figure_label_map
