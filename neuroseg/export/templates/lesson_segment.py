"""The Segment view as the lesson does it: fit, number the clusters, their table, the labelled scatter, the label map."""

# %% include lesson_load

# %% include figure_joint tags=["two_channels"]

# %% [markdown]
# ## Stack the intensities into an (n_voxels, __n_channels__) array and fit k = __k__ Gaussians

# %%
X = np.column_stack(values)
print(X.shape)
gmm = GaussianMixture(n_components=__k__, random_state=__seed____more__)
raw_labels = gmm.fit_predict(X)

# %% [markdown]
# ## Number the clusters by the first image's mean
#
# scikit-learn numbers its components in no particular order. neuroseg numbers them 1..k by ascending mean of the first image (ties: the next), so label 1 is the darkest on a T1 (CSF for k = 3); 0 is kept for outside the mask.

# %%
order = np.lexsort(gmm.means_.T[::-1])
rank = np.empty(len(order), dtype=np.uint8)
rank[order] = np.arange(1, len(order) + 1)
labels = rank[raw_labels]

# %% [markdown]
# ## The cluster table
#
# Size, volume, intensity mean and standard deviation per image, and weight.

# %%
voxel_ml = abs(np.linalg.det(__first_image__.affine[:3, :3])) / 1000
weights = gmm.weights_[order]
for label in range(1, __k__ + 1):
    inside = X[labels == label]
    stats = '  '.join(f'{name} {inside[:, j].mean():9.2f} ± {inside[:, j].std():8.2f}' for j, name in enumerate(names))
    print(f'label {label}: {len(inside):9,} voxels {len(inside) * voxel_ml:10.2f} mL  {stats}  weight {weights[label - 1]:.3f}')
points = X

# %% include figure_clusters

# %% include figure_label_map
