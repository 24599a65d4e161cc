"""The Joint view through neuroseg's loading: two channels' statistics, scatter, 2-D histogram and KDE."""

# %% include library_load

# %% include figure_joint
