"""Results of a solved formulation: typed tables, a typed summary, the text report and files."""
from model.results.collect import Results, collect
from model.results.summary import LargestCut, Summary

__all__ = ["LargestCut", "Results", "Summary", "collect"]
