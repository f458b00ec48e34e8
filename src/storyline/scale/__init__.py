"""Running the per-article stages on a distributed engine (Dask); see docs/scaling.md."""

from storyline.scale.dask import DaskEngine, dask_engine
from storyline.scale.work import Failed, Prepared, prepare

__all__ = ["DaskEngine", "Failed", "Prepared", "dask_engine", "prepare"]
