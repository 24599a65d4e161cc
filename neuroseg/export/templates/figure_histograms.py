"""One intensity histogram per image, of ``values`` (one array per channel, named by ``names``)."""

# %% [markdown]
# ## Intensity histograms
#
# One histogram per image, of the voxels in the mask.

# %%
fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names) + 1, 3.5), squeeze=False)
for ax, channel, name in zip(axes[0], values, names):
    ax.hist(channel, bins=100, color='grey')
    ax.set(title=f'{name} intensities', xlabel=name, ylabel='voxels')
plt.tight_layout()
plt.show()
