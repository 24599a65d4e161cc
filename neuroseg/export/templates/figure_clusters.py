"""The clusters in intensity space (``points`` coloured by ``labels``), shown with two channels or more."""

# %% [markdown] tags=["two_channels"]
# ## The clusters in intensity space
#
# The scatter again, each voxel coloured by its label__space__.

# %% tags=["two_channels"]
plt.figure(figsize=(5, 5))
plt.scatter(points[:, 0], points[:, 1], c=labels, cmap=ListedColormap(__colours__), vmin=0.5, vmax=__k_top__, s=2)
plt.xlabel(names[0])
plt.ylabel(names[1])
plt.title('__k__ clusters')
plt.show()
