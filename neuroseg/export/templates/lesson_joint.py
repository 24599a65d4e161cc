"""The Joint view as the lesson does it: two channels' statistics, scatter, 2-D histogram and KDE."""

# %% include lesson_load

# %% include figure_joint
