"""BIC and AIC against k, one point per fit, from ``table`` (columns ``k``, ``bic``, ``aic``)."""

# %% [markdown]
# ## BIC and AIC against k
#
# One point per seed; lower is better.

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for criterion in ('bic', 'aic'):
    ax.plot(table['k'], table[criterion], 'o', label=criterion.upper())
ax.set(xlabel='k (clusters)', ylabel='criterion (lower is better)')
ax.legend()
plt.show()
