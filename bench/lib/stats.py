"""Statistics shared by the bench/ helpers."""


def percentile(values, p):
    """The p-th percentile of `values` by nearest rank, as every bench/ figure is given."""
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))]
