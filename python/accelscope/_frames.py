"""pandas DataFrames from the records the engine returns (pandas is imported only when used)."""


def _pandas():
    try:
        import pandas
    except ImportError as error:  # pragma: no cover - pandas is a Debian package away
        raise ImportError(
            "accelscope: DataFrames need pandas (Debian: apt-get install python3-pandas)"
        ) from error
    return pandas


def columns_frame(columns):
    """A DataFrame from {column name: list of values}."""
    return _pandas().DataFrame(columns)


def records_frame(records, index=None):
    """A DataFrame from a list of (nested) dicts, nested keys joined with '.'."""
    pandas = _pandas()
    frame = pandas.json_normalize(records, sep=".") if records else pandas.DataFrame()
    if index is not None and index in frame.columns:
        frame = frame.set_index(index, drop=False)
    return frame
