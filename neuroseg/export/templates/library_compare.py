"""The Compare view through neuroseg: ``compare`` fits the grid, ``grid_table`` tabulates it (``compare.csv``)."""

# %% include library_load

# %% [markdown]
# ## Fit every k with every seed
#
# `compare` fits the grid with the same options for every fit; `grid_table` gives one row per fit (BIC, AIC, convergence, and the seeds' mean adjusted Rand index).

# %%
fit = __fit_options__
pairs = [(k, seed) for k in __ks__ for seed in __seeds__]
results = compare(stack, scope, pairs, fit, features=features)
table = grid_table(results)
table.to_csv('compare.csv', index=False)
print(table.to_string(index=False))

# %% include figure_criteria
