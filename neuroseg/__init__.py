"""neuroseg: explore co-registered brain MRI volumes and segment them with Gaussian mixtures."""

__version__ = "0.2.0"
