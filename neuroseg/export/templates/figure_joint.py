"""Two channels' joint intensities: their statistics (with the flag ``statistics``), scatter, 2-D histogram and KDE."""

# %%
x, y = values[__first__], values[__second__]

# %% [markdown] tags=["statistics"]
# ## Their statistics
#
# How many voxels, each image's mean and spread, and how they correlate.

# %% tags=["statistics"]
print(f'{len(x):,} voxels')
print(f'{names[__first__]}: mean {x.mean():.2f}, sd {x.std():.2f}')
print(f'{names[__second__]}: mean {y.mean():.2f}, sd {y.std():.2f}')
print(f'Pearson r = {np.corrcoef(x, y)[0, 1]:.4f}')

# %% [markdown]
# ## The joint intensities
#
# Each voxel is a point (__a__ across, __b__ up): tissues form clouds.

# %%
plt.figure(figsize=(5, 5))
plt.scatter(x, y, s=1, alpha=0.3, color='black')
plt.xlabel(names[__first__])
plt.ylabel(names[__second__])
plt.show()

# %% [markdown]
# ## A 2-D histogram
#
# Where points overlap, counting them per bin shows the density.

# %%
plt.figure(figsize=(5.5, 5))
plt.hist2d(x, y, bins=128, cmap='viridis', cmin=1)
plt.colorbar(label='voxels')
plt.xlabel(names[__first__])
plt.ylabel(names[__second__])
plt.show()

# %% [markdown]
# ## A kernel density estimate
#
# seaborn's KDE, on __kde_points__ voxels drawn at random (it evaluates its kernel at every point, which is slow on many).

# %%
few = np.random.default_rng(0).choice(len(x), size=min(len(x), __kde_sample__), replace=False)
plt.figure(figsize=(5, 5))
sns.kdeplot(x=x[few], y=y[few], fill=True, cmap='mako')
plt.xlabel(names[__first__])
plt.ylabel(names[__second__])
plt.show()
