"""The Compare view as the lesson does it: every (k, seed) fit's BIC, AIC and seed stability, ``compare.csv``."""

# %% include lesson_load

# %% [markdown]
# ## Fit every k with every seed
#
# BIC and AIC (lower is better) weigh the fit against the number of parameters; the adjusted Rand index between seeds shows whether a k gives the same map every time.

# %%
import csv
import itertools
from sklearn.metrics import adjusted_rand_score

X = np.column_stack(values)
ks, seeds = __ks__, __seeds__
rows, maps = [], {}
for k in ks:
    for seed in seeds:
        gmm = GaussianMixture(n_components=k, random_state=seed__more__)
        maps.setdefault(k, []).append(gmm.fit_predict(X))
        rows.append({'k': k, 'seed': seed, 'bic': gmm.bic(X), 'aic': gmm.aic(X), 'converged': gmm.converged_, 'n_iter': gmm.n_iter_})
for row in rows:
    runs = maps[row['k']]
    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(runs, 2)]
    row['mean_pairwise_ari'] = float(np.mean(pairs)) if pairs else 1.0
    print(row)
with open('compare.csv', 'w', newline='') as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
table = {column: [row[column] for row in rows] for column in rows[0]}

# %% include figure_criteria
