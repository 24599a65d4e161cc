"""neuroseg's loading: the images as channels inside the analysis mask, and their (n_voxels, n_channels) intensities."""

# %% include library_intro

# %% [markdown]
# ## Load the images inside the mask

# %%
files, names = __files__, __names__
# load the images as channels on the first one's grid, inside the analysis mask:
# mask = __mask_words__
stack, notices = load_stack(files, names, volume=__volume__, resample=__resample__, mask=__mask__)
for notice in notices:
    print(notice)
scope = __scope__  # the voxels analysed
features = make_features(stack.channels, scope, stack.mask)  # (n_voxels, n_channels) intensities in the mask
X = features.X
print(X.shape)
values = list(X.T)

# %% include figure_histograms
