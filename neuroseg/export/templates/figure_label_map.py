"""The label map of one slice of ``label_volume`` (0 = outside the mask, black), and ``labels.nii.gz``."""

# %% [markdown]
# ## Map the labels back into the image and save them
#
# Every masked voxel gets its label, 0 elsewhere, on the first image's grid and affine: `labels.nii.gz`.

# %%
__label_volume__
plt.figure(figsize=(6, 6))
plt.imshow(label_volume[__shown__].T, origin='lower', cmap=ListedColormap(['black'] + __colours__), vmin=-0.5, vmax=__k_top__, interpolation='nearest')
plt.title('labels, __shown_words__')
plt.axis('off')
plt.show()
__save_labels__
