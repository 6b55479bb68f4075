"""Batch report generation: the engine that decides what to build and writes pages and the
manifest (``engine``), the local and Dask executors (``executors``), the fork server and its warm
workers (``preload``, ``worker_server``), notebook cells run on the in-process shell
(``inprocess``), the no-change stamp (``stamps``) and what the command decides from its words
before it imports anything heavy (``launch``). Imports any layer up to ``analysis.pages``."""
